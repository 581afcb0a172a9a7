"""``maillage demo``: build the demo database in one go (what ``make demo`` runs)."""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

from core.cli import db as db_cli
from core.cli import tenants as tenants_cli
from core.cli.progress import progress
from core.demo.seed import refuse_in_production, seed_demo
from core.settings import Settings
from core.tenancy.database import Database


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="données de démonstration")
    sub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    sub.add_parser("seed", help="charger les données de démonstration").set_defaults(func=seed)
    sub.add_parser(
        "setup", help="tout préparer : migrations, territoire, pôles, données de démonstration"
    ).set_defaults(func=setup)


async def seed(settings: Settings, args: argparse.Namespace) -> int:
    host = args.plugins_host
    db = Database.from_settings(settings)
    host.bind(db)
    try:
        with progress() as steps, steps.step("données de démonstration des pôles"):
            report = await seed_demo(host, db, settings)
            await host.drain()
    finally:
        await db.dispose()
    if not report.seeded:
        print("aucun pôle actif : lancez d'abord « maillage tenants sync »")
    for slug, owners in report.seeded.items():
        print(f"{slug} : données de démonstration ({', '.join(owners)})")
    return 0


async def setup(settings: Settings, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    refuse_in_production(settings)  # before the migrations: nothing written at all
    host = args.plugins_host
    await db_cli.upgrade(
        settings,
        SimpleNamespace(revision="head", no_territory=False, plugin=None, plugins_host=host),
    )
    await tenants_cli.run_sync(
        settings, SimpleNamespace(dir=None, dry_run=False, plugins_host=host)
    )
    await seed(settings, args)
    print(f"démonstration prête en {time.perf_counter() - started:.1f} s")
    return 0
