"""A plugin registered at runtime: the scaffold's own output, generated once per session
into a temporary folder and imported from there (not installed)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from core.cli.scaffold import scaffold_plugin

RUNTIME_PLUGIN = "sorties"


@pytest.fixture(scope="session")
def runtime_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = scaffold_plugin(
        RUNTIME_PLUGIN,
        tmp_path_factory.mktemp("scaffold"),
        title="Sorties inclusives",
        description="Sorties de loisirs organisées avec les structures d'accueil.",
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(f"maillage_{RUNTIME_PLUGIN}")
    finally:
        sys.path.remove(str(folder))


@pytest.fixture
def maillage_plugins(runtime_plugin: ModuleType) -> list[object]:
    return [runtime_plugin]


def plugin_folder(module: ModuleType) -> Path:
    return Path(module.__file__ or "").resolve().parents[1]
