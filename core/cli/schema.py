"""``maillage schema export``: write the composed GraphQL schema to graphql/schema.graphql.

The schema is composed from core and the installed (allow-listed) plugins: the
committed file is the one of this repository's first-party set.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.app.schema import schema_sdl
from core.settings import Settings

DEFAULT_PATH = Path("graphql/schema.graphql")


def register(commands: argparse._SubParsersAction) -> None:
    schema = commands.add_parser("schema", help="schéma GraphQL")
    sub = schema.add_subparsers(dest="schema_command", metavar="ACTION", required=True)
    export = sub.add_parser("export", help="écrire le schéma (SDL) dans un fichier")
    export.add_argument(
        "--output", type=Path, default=DEFAULT_PATH, help=f"fichier écrit (défaut : {DEFAULT_PATH})"
    )
    export.add_argument("--check", action="store_true", help="échouer si le fichier diffère")
    export.set_defaults(func=export_command)


def export_command(_settings: Settings, args: argparse.Namespace) -> int:
    sdl = schema_sdl(args.plugins_host)
    path: Path = args.output
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            print(f"{path} diffère du schéma construit : lancez « maillage schema export »")
            return 1
        print(f"{path} est à jour")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdl, encoding="utf-8")
    print(f"schéma écrit dans {path}")
    return 0
