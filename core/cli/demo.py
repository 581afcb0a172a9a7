"""``maillage demo``: build the demo database in one go (what ``make demo`` runs)."""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

from core.cli import db as db_cli
from core.cli import tenants as tenants_cli
from core.demo.seed import seed_demo
from core.settings import Settings
from core.tenancy.database import Database


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="données de démonstration")
    sub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    sub.add_parser("seed", help="charger les données de démonstration").set_defaults(func=seed)
    sub.add_parser(
        "setup", help="tout préparer : migrations, territoire, pôles, données de démonstration"
    ).set_defaults(func=setup)


async def seed(settings: Settings, _args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        report = await seed_demo(db)
    finally:
        await db.dispose()
    for slug, count in report.seeded.items():
        print(f"{slug} : {count} territoires d'intervention")
    for slug in report.missing_tenants:
        print(f"{slug} : pôle absent (lancez d'abord « maillage tenants sync »)")
    return 0


async def setup(settings: Settings, _args: argparse.Namespace) -> int:
    started = time.perf_counter()
    await db_cli.upgrade(settings, SimpleNamespace(revision="head", no_territory=False))
    await tenants_cli.run_sync(settings, SimpleNamespace(dir=None, dry_run=False))
    await seed(settings, _args)
    print(f"démonstration prête en {time.perf_counter() - started:.1f} s")
    return 0
