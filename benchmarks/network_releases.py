"""The network's release job for 150 poles, measured (printed by `make bench`): each
pole's 2025 release prepared the way the pole's administrator does it
(``core.network.releases.prepare``: the catalogue's figures computed in the pole's
scoped session, protected — primary and complementary suppression, LP audit — and
stored), on SQLite. Poles of very different sizes (20 to 400 children followed,
log-uniform; seed 2025), each child with a request and three interventions. Prints the
total (wall and CPU — on a shared machine the CPU time is the steadier figure), per
pole p50 / max, and the protection's figures; the issue's bar is 30 s.

    python -m benchmarks.network_releases [--poles 150]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from benchmarks.kits import _prepare
from core.access.actions import Actor, Caller
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.families.models import Child, Family
from core.ids import uuid7
from core.network.catalogue import DEFAULT_ENTRIES
from core.network.releases import prepare
from core.network.setup import add_pole, define_network, set_catalogue
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant

POLES = 150
YEAR = 2025
SEED = 2025
# Each département and its prefecture, where the bench's families live.
PLACES = {
    "62": "62119", "63": "63113", "59": "59350", "80": "80021", "02": "02408", "14": "14118",
    "35": "35238", "44": "44109", "69": "69123", "33": "33063", "31": "31555", "15": "15014",
    "48": "48095",
}  # fmt: skip
DEPARTEMENTS = tuple(PLACES)
AGES = (1, 2, 4, 5, 7, 9, 11, 13, 15)
KINDS = ("observation", "home_visit", "phone_guidance", "recommendations", "team_meeting")
REQUESTERS = ("family", "eaje", "childminder", "leisure_centre")
CHANNELS = ("phone", "email", "visit")
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


async def _pole(db: Database, index: int, rng: random.Random) -> Tenant:
    tenant = Tenant(
        slug=f"banc-reseau-{index + 1}",
        name=f"Pôle du banc {index + 1} (fictif)",
        short_name=f"Banc {index + 1}",
        operator="Banc",
        departement_code=DEPARTEMENTS[index % len(DEPARTEMENTS)],
    )
    async with db.unscoped(reason="benchmark", actor="bench") as session:
        session.add(tenant)
        await session.commit()
    children = round(math.exp(rng.uniform(math.log(20), math.log(400))))
    commune = PLACES[tenant.departement_code]
    families, kids, follow_ups, requests, interventions = [], [], [], [], []
    for i in range(children):
        family_id, child_id, follow_up_id = uuid7(), uuid7(), uuid7()
        opened = dt.date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
        families.append(
            {
                "id": family_id,
                "name": f"Famille {i}",
                "search_name": f"famille {i}",
                "commune_insee": commune,
            }
        )
        kids.append(
            {
                "id": child_id,
                "family_id": family_id,
                "first_name": f"Enfant {i}",
                "birth_date": dt.date(YEAR - rng.choice(AGES), rng.randint(1, 12), 1),
                "commune_insee": commune,
            }
        )
        follow_ups.append(
            {"id": follow_up_id, "child_id": child_id, "opened_on": opened, "status": "open"}
        )
        requests.append(
            {
                "id": uuid7(),
                "received_on": opened,
                "channel": rng.choice(CHANNELS),
                "requester_kind": rng.choice(REQUESTERS),
                "requester_name": "Demandeur (banc)",
                "subjects": ["place_search"],
                "family_id": family_id,
                "child_id": child_id,
            }
        )
        interventions += [
            {
                "id": uuid7(),
                "follow_up_id": follow_up_id,
                "kind": rng.choice(KINDS),
                "happened_on": dt.date(YEAR, rng.randint(opened.month, 12), rng.randint(1, 28)),
                "duration_minutes": 60,
            }
            for _ in range(3)
        ]
    async with db.session(tenant.id) as session:
        for model, rows in (
            (Family, families),
            (Child, kids),
            (FollowUp, follow_ups),
            (Request, requests),
            (Intervention, interventions),
        ):
            await session.execute(insert(model), rows)
        await session.commit()
    return tenant


@dataclass(frozen=True)
class Measured:
    poles: int
    cells: int
    primary: int
    secondary: int
    smallest: float
    seconds: float


async def _run(poles: int) -> Measured:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'releases.sqlite3'}"
        await _prepare(url)
        db = Database(url)
        host = PluginHost.from_settings(Settings.from_env({"MAILLAGE_DATABASE_URL": url}))
        figures = {name: spec for name, (_, spec) in host.contributions.indicators.items()}
        caller = Caller(
            Actor(subject="bench:pole-admin", display_name="Banc", roles=frozenset({"pole_admin"})),
            host.actions,
        )
        rng = random.Random(SEED)
        try:
            started = time.perf_counter()
            tenants = [await _pole(db, i, rng) for i in range(poles)]
            async with db.reference_session() as session:
                network = await define_network(session, name="Banc", k=11, actor="bench")
                for tenant in tenants:
                    await add_pole(
                        session,
                        network,
                        code=tenant.slug,
                        name=tenant.name,
                        departement=tenant.departement_code,
                        local=tenant,
                        actor="bench",
                    )
                await set_catalogue(
                    session, network, list(DEFAULT_ENTRIES), figures, actor="bench", now=NOW
                )
                await session.commit()
            loaded = time.perf_counter() - started
            walls, cpus = [], []
            hidden = [0, 0]
            cells = 0
            smallest = math.inf
            wall0, cpu0 = time.perf_counter(), time.process_time()
            for tenant in tenants:
                wall, cpu = time.perf_counter(), time.process_time()
                async with db.session(tenant.id) as session:
                    release = await prepare(session, caller, host, tenant, [], str(YEAR), now=NOW)
                    await session.commit()
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                cells += release.cells_total
                hidden[0] += release.cells_primary
                hidden[1] += release.cells_secondary
                if release.smallest_interval is not None:
                    smallest = min(smallest, release.smallest_interval)
            total_wall = time.perf_counter() - wall0
            total_cpu = time.process_time() - cpu0
        finally:
            await db.dispose()
    print(
        f"network releases through the job, {poles} poles × 1 year (SQLite, k = 11): "
        f"{total_wall:.1f} s ({total_cpu:.1f} s CPU; per pole p50 "
        f"{statistics.median(walls) * 1000:.0f} ms, max {max(walls) * 1000:.0f} ms; "
        f"target 30 s: {'met' if total_wall <= 30 else 'missed'}); {cells} cells, "
        f"{hidden[0]} hidden by primary and {hidden[1]} by complementary suppression, "
        f"smallest audit interval {smallest:g} (data loaded in {loaded:.1f} s)"
    )
    return Measured(len(walls), cells, hidden[0], hidden[1], smallest, total_wall)


def run(poles: int = POLES) -> Measured:
    return asyncio.run(_run(poles))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.network_releases", description=__doc__
    )
    parser.add_argument("--poles", type=int, default=POLES, help="poles (150)")
    run(parser.parse_args().poles)
