"""``maillage territory``: load and query the communes / EPCI / départements reference."""

from __future__ import annotations

import argparse
import time

from core.cli.progress import Steps, progress
from core.settings import Settings
from core.tenancy.database import Database
from core.territory.loader import LoadReport, load_territory
from core.territory.search import search_communes


def register(commands: argparse._SubParsersAction) -> None:
    territory = commands.add_parser("territory", help="référentiel territorial (communes, EPCI)")
    sub = territory.add_subparsers(dest="territory_command", metavar="ACTION", required=True)
    load = sub.add_parser("load", help="charger les fichiers livrés avec maillage")
    load.add_argument("--force", action="store_true", help="recharger même si déjà à jour")
    load.set_defaults(func=load_command)
    find = sub.add_parser("search", help="chercher une commune (nom, code INSEE ou postal)")
    find.add_argument("query", help="nom, code INSEE ou code postal")
    find.add_argument("--departement", help="code du département (ex. 63)")
    find.add_argument("--limit", type=int, default=10, help="nombre de résultats (défaut : 10)")
    find.set_defaults(func=search_command)


async def load_command(settings: Settings, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with progress() as steps:
        report = await load_with_progress(settings, steps, force=args.force)
    if report.loaded:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        print(f"chargé en {time.perf_counter() - started:.1f} s : {counts}")
    else:
        print("déjà à jour (même version des fichiers)")
    return 0


async def load_with_progress(settings: Settings, steps: Steps, *, force: bool) -> LoadReport:
    db = Database(settings.migration_database_url)
    try:
        with steps.step("référentiel territorial (lignes écrites)") as step:
            async with db.reference_session() as session:
                report = await load_territory(session, force=force, on_progress=step.update)
                await session.commit()
    finally:
        await db.dispose()
    return report


async def search_command(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        async with db.reference_session() as session:
            page = await search_communes(
                session, args.query, departement=args.departement, limit=args.limit
            )
            for c in page.items:
                postal = " ".join(p.postal_code for p in c.postal_codes)
                epci = c.epci.name if c.epci else "—"
                print(f"{c.insee_code}  {c.name:<35} {postal:<18} {c.population:>8}  {epci}")
            print(f"{page.total} résultat(s)")
    finally:
        await db.dispose()
    return 0
