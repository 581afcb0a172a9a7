"""Import every core model module so ``Base.metadata`` is complete (migrations, lint)."""

from __future__ import annotations

import importlib

CORE_MODEL_MODULES = (
    "core.territory.models",
    "core.tenancy.models",
    "core.domain.areas.models",
)


def load_core_models() -> None:
    for name in CORE_MODEL_MODULES:
        importlib.import_module(name)
