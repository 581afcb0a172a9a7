"""The handisitting plugin's tests: the app and the database are built with it."""

from __future__ import annotations

import pytest


@pytest.fixture
def maillage_plugins() -> list[str]:
    return ["handisitting"]
