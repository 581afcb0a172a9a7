"""The maillage pytest plugin provides the fixtures; this file says which plugins the
app and the database are built with."""

from __future__ import annotations

import pytest


@pytest.fixture
def maillage_plugins() -> list[str]:
    return ["snu_sessions"]
