"""Hypothesis settings of the protection properties: a short run by default, at least
10,000 examples per property under ``make test-deep`` (MAILLAGE_HYPOTHESIS_PROFILE=deep),
drawn afresh each time there, the same ones in the default run.

Settings objects rather than a registered profile: profiles are global to the session,
and the isolation suite registers its own.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEEP = os.environ.get("MAILLAGE_HYPOTHESIS_PROFILE") == "deep"
# MAILLAGE_PROTECTION_EXAMPLES sets another count (a middle-sized run while working).
EXAMPLES = int(os.environ.get("MAILLAGE_PROTECTION_EXAMPLES", 10_000 if DEEP else 40))

PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not DEEP,
)
