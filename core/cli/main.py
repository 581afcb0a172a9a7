"""``maillage``: one entry point, sub-commands registered by small modules.

Each module exposes ``register(subparsers)`` and sets ``func`` (sync or async) on
its parsers. Errors the operator can fix print one line naming the file, key or
setting at fault and exit with status 2; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import Sequence

from core.cli import db, demo, schema, serve, tenants, territory
from core.errors import MaillageError
from core.logs import configure_logging
from core.settings import Settings

COMMAND_MODULES = (db, tenants, territory, demo, schema, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maillage",
        description="maillage — plateforme des pôles ressources handicap",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        configure_logging(settings)
        result = args.func(settings, args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)
    except MaillageError as exc:
        where = f"{exc.field}: " if exc.field else ""
        print(f"maillage: erreur: {where}{exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
