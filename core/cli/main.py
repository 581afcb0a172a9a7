"""``maillage``: one entry point; sub-commands come from the cli hook (core's, then
each plugin's, by name).

Settings and plugins load first: a bad setting or a faulty plugin stops every
command with one message naming the variable or the plugin. Errors the operator
can fix print one line naming the file, key or setting at fault and exit with
status 2; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import Sequence

from core.errors import ConfigurationError, MaillageError
from core.logs import configure_logging
from core.plugins.host import PluginHost
from core.settings import Settings


def build_parser(host: PluginHost) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maillage",
        description="maillage — plateforme des pôles ressources handicap",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for owner, obj in host.owners():
        try:
            host.only("maillage_cli", obj)(commands=commands)
        except argparse.ArgumentError as exc:
            raise ConfigurationError(
                f"le plugin {owner} déclare une commande déjà prise ({exc}) : renommez-la",
                field="MAILLAGE_PLUGINS",
            ) from exc
    return parser


def _report(exc: MaillageError) -> int:
    where = f"{exc.field}: " if exc.field else ""
    print(f"maillage: erreur: {where}{exc.message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = Settings.from_env()
        configure_logging(settings)
        host = PluginHost.from_settings(settings)
        parser = build_parser(host)
    except MaillageError as exc:
        return _report(exc)
    args = parser.parse_args(argv)
    args.plugins_host = host
    try:
        result = args.func(settings, args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)
    except MaillageError as exc:
        return _report(exc)
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
