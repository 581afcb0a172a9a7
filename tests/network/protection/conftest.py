"""Hypothesis settings of the protection properties: a short run by default, at least
10,000 examples under ``make test-deep`` (MAILLAGE_HYPOTHESIS_PROFILE=deep).

Settings objects rather than a registered profile: profiles are global to the session,
and the isolation suite registers its own.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEEP = os.environ.get("MAILLAGE_HYPOTHESIS_PROFILE") == "deep"

PROPERTY = settings(
    max_examples=10_000 if DEEP else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not DEEP,
)
