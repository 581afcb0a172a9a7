"""Core feature: core's own sub-commands, added through the same cli hook as plugins'."""

from __future__ import annotations

import argparse

from core.cli import (
    auth,
    db,
    demo,
    gdpr,
    letterhead,
    network,
    plugin,
    report,
    schema,
    serve,
    tenants,
    territory,
)
from core.hooks import hookimpl

COMMAND_MODULES = (
    db,
    tenants,
    territory,
    plugin,
    auth,
    gdpr,
    letterhead,
    report,
    network,
    demo,
    schema,
    serve,
)


@hookimpl
def maillage_cli(commands: argparse._SubParsersAction) -> None:
    for module in COMMAND_MODULES:
        module.register(commands)
