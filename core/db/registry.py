"""Import every core model module so ``Base.metadata`` is complete (migrations, lint).

Core's features also return these models from their ``maillage_models`` hook; this
list lets migrations run without building the plugin host.
"""

from __future__ import annotations

import importlib

CORE_MODEL_MODULES = (
    "core.territory.models",
    "core.tenancy.models",
    "core.audit.models",
    "core.plugins.models",
    "core.domain.areas.models",
    "core.domain.structures.models",
    "core.domain.families.models",
    "core.domain.casework.models",
    "core.domain.plans.models",
    "core.domain.report.models",
    "core.auth.models",
    "core.network.models",
)


def load_core_models() -> None:
    for name in CORE_MODEL_MODULES:
        importlib.import_module(name)
