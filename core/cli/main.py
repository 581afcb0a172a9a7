"""``maillage``: one entry point; sub-commands come from the cli hook (core's, then
each plugin's, by name).

Settings and plugins load first: a bad setting or a faulty plugin stops every
command with one message naming the variable or the plugin.

Exit codes (docs/operator-runbook.md, "Exit codes"):

* 0 — done;
* 1 — the command could not finish: database unreachable, mail not delivered, a
  check that found problems (``db posture``), an unexpected error (with its trace);
* 2 — bad usage or configuration: unknown option, invalid setting, file or input;
  nothing was written;
* 130 — interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from core.auth import passwords
from core.cli import french
from core.db.engine import DatabaseUnreachable
from core.errors import ConfigurationError, MaillageError, OperationFailed
from core.logs import configure_logging
from core.plugins.host import PluginHost
from core.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def maillage_version() -> str:
    try:
        return version("maillage")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "inconnue"


def build_parser(host: PluginHost) -> argparse.ArgumentParser:
    french.install()
    parser = argparse.ArgumentParser(
        prog="maillage",
        description="maillage — plateforme des pôles ressources handicap",
        epilog="Codes de sortie : 0 terminé, 1 échec (base injoignable, courriel non "
        "envoyé…), 2 usage ou réglage invalide (rien n'est écrit), 130 interrompu.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"maillage {maillage_version()}",
        help="afficher la version et quitter",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMANDE", required=True, title="commandes"
    )
    for owner, obj in host.owners():
        try:
            host.only("maillage_cli", obj)(commands=commands)
        except argparse.ArgumentError as exc:
            raise ConfigurationError(
                f"le plugin {owner} déclare une commande déjà prise ({exc}) : renommez-la",
                field="MAILLAGE_PLUGINS",
            ) from exc
    return parser


def _report(
    exc: MaillageError | DatabaseUnreachable, *, field: str | None = None, status: int = EXIT_USAGE
) -> int:
    where = field or exc.field
    prefix = f"{where}: " if where else ""
    print(f"maillage: erreur: {prefix}{exc.message}", file=sys.stderr)
    return status


def _database_variable(settings: Settings, url: str) -> str | None:
    """The setting that holds ``url`` (the first one: the three may be equal)."""
    for name, value in (
        ("MAILLAGE_DATABASE_URL", settings.database_url),
        ("MAILLAGE_MIGRATION_DATABASE_URL", settings.migration_database_url),
        ("MAILLAGE_PLATFORM_DATABASE_URL", settings.platform_database_url),
    ):
        if value == url:
            return name
    return None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = Settings.from_env()
        configure_logging(settings)
        passwords.use_profile(settings.password_profile)
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
    except DatabaseUnreachable as exc:
        return _report(exc, field=_database_variable(settings, exc.url), status=EXIT_FAILED)
    except OperationFailed as exc:
        return _report(exc, status=EXIT_FAILED)
    except MaillageError as exc:
        return _report(exc)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
