"""`make demo`'s steps, end to end, in a temporary directory: setup twice, serve, query, stop."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from core.auth.demo import DEMO_DOMAIN, seed_accounts
from core.auth.models import User
from core.db.engine import make_engine
from core.demo.seed import seed_demo
from core.errors import ConfigurationError
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database
from core.testing.postgres import PostgresServer
from tests.conftest import DbUrls, make_tenant

ROOT = Path(__file__).resolve().parents[1]
MAILLAGE = str(Path(sys.executable).parent / "maillage")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, query: str, headers: dict[str, str] | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # 401 still answers in the GraphQL shape
        return json.loads(error.read())


def _login(port: int, email: str) -> dict[str, str]:
    """Sign in with a README demo account (JSON: tokens); the bearer header."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/login",
        data=json.dumps({"email": email, "password": "maillage-demo"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        tokens = json.loads(response.read())
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(
        MAILLAGE_VAR_DIR=str(tmp_path / "var"),
        MAILLAGE_TENANTS_DIR=str(ROOT / "tenants"),
        MAILLAGE_LOG_FORMAT="json",
    )
    return env


def test_demo_builds_twice_serves_graphql_and_stops_cleanly(demo_env, tmp_path: Path):
    for _attempt in (1, 2):
        setup = subprocess.run(
            [MAILLAGE, "demo", "setup"],
            cwd=tmp_path,
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert setup.returncode == 0, setup.stderr
        assert "démonstration prête" in setup.stdout
    # Second run: nothing left to do.
    assert "déjà à jour" in setup.stdout
    assert (tmp_path / "var" / "maillage.sqlite3").exists()

    port = _free_port()
    server = subprocess.Popen(
        [MAILLAGE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=demo_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # 60 s: on a loaded 2-core machine the app alone takes 15 s and more to build.
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)

        result = _post(
            port,
            '{ communes(search: "chatel guyon") { edges { node { inseeCode name } } } '
            "tenants { slug departementCode } }",
        )
        assert result["data"]["communes"]["edges"][0]["node"]["name"] == "Châtel-Guyon"
        assert [t["slug"] for t in result["data"]["tenants"]] == ["pas-de-calais", "puy-de-dome"]

        # The demo accounts of the README sign in (tokens), then work in their pole.
        admin = _login(port, "pole-admin@puy-de-dome.maillage.example")
        areas = _post(port, "{ serviceAreas { name } }", admin)
        assert "Riom, Limagne et Combrailles" in {a["name"] for a in areas["data"]["serviceAreas"]}
        assert _post(port, "{ serviceAreas { name } }")["errors"][0]["extensions"]["code"] == (
            "UNAUTHENTICATED"
        )
        # The seeded kits: a catalogue, and years of loans delivered by the staff.
        kits = _post(port, "{ kits { totalCount } kitKilometresByYear { year km } }", admin)
        assert 15 <= kits["data"]["kits"]["totalCount"] <= 25
        assert [y["year"] for y in kits["data"]["kitKilometresByYear"]][:1] == [2023]

        # The first-party plugin is enabled by the 63 pole's file and seeded; the 62 pole
        # did not enable it. The two-pole account picks its pole per request.
        both = _login(port, "coordination@maillage.example")
        referents = "{ referentCharters { referents(first: 3) { totalCount } } }"
        on = _post(port, referents, {**both, "X-Maillage-Tenant": "puy-de-dome"})
        assert on["data"]["referentCharters"]["referents"]["totalCount"] > 0
        off = _post(port, referents, {**both, "X-Maillage-Tenant": "pas-de-calais"})
        assert off["data"] == {"referentCharters": None}
        assert off["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"

        # Each demo pole has its 2025–2027 action plan, evaluated for 2025 and 2026, with
        # indicator values and a few gaps.
        plan = (
            "{ actionPlanForYear(year: 2026) { title summary(year: 2025) { count } "
            "indicators { values { year state { value } reason } } } }"
        )
        for slug in ("pas-de-calais", "puy-de-dome"):
            found = _post(port, plan, {**both, "X-Maillage-Tenant": slug})["data"]
            evaluated = found["actionPlanForYear"]
            assert evaluated["title"] == "Plan d'action 2025–2027"
            *marked, unmarked = [s["count"] for s in evaluated["summary"]]
            assert unmarked == 0 and sum(marked) > 5
            values = [v for i in evaluated["indicators"] for v in i["values"]]
            assert {v["year"] for v in values} == {2025, 2026}
            gaps = [v for v in values if v["state"]["value"] != "available"]
            assert gaps and all(v["reason"] for v in gaps)

        # The figures, over HTTP: the kilometres agree with the kits' yearly count; in each
        # pole, the children followed in 2025 by EPCI add up to the year's figure.
        km = {y["year"]: y["km"] for y in kits["data"]["kitKilometresByYear"]}
        figure = '{ figure(name: "kits.kilometres", year: 2025) { total } }'
        assert round(_post(port, figure, admin)["data"]["figure"]["total"], 1) == km[2025]
        children = (
            '{ figure(name: "casework.children_followed", year: 2025, dimensions: ["epci"]) '
            "{ total cells { values { code label } value } } }"
        )
        for slug in ("pas-de-calais", "puy-de-dome"):
            table = _post(port, children, {**both, "X-Maillage-Tenant": slug})["data"]["figure"]
            assert table["total"] > 0
            assert sum(c["value"] for c in table["cells"]) == table["total"]
            assert all(c["values"][0]["label"] for c in table["cells"])
    finally:
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    events = [line.get("event") for line in logs]
    assert "startup" in events and "shutdown" in events
    requests = [line for line in logs if line.get("event") == "http_request"]
    assert requests and all(r.get("request_id") for r in requests)
    # No personal data and no query text in the logs.
    assert "chatel" not in err.lower() and "X-Maillage-Tenant" not in err
    assert "maillage-demo" not in err and "Bearer" not in err


# --- never in production (issue 13) ---------------------------------------------------------


def _production_env(urls: DbUrls, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(
        MAILLAGE_MODE="production",
        MAILLAGE_SECRET_KEY="p" * 48,
        MAILLAGE_PUBLIC_URL="https://maillage.example",
        MAILLAGE_MAIL="smtp://relais@127.0.0.1:2525",
        MAILLAGE_DATABASE_URL=urls.runtime,
        MAILLAGE_MIGRATION_DATABASE_URL=urls.owner,
        MAILLAGE_PLATFORM_DATABASE_URL=urls.platform,
        MAILLAGE_VAR_DIR=str(tmp_path / "var"),
        MAILLAGE_TENANTS_DIR=str(ROOT / "tenants"),
    )
    return env


def _refused(argv: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [MAILLAGE, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "MAILLAGE_MODE" in lines[0] and "production" in lines[0], lines
    return lines[0]


async def _demo_users(db: Database) -> int:
    async with db.reference_session() as session:
        found = select(func.count()).select_from(User).where(User.email.like(f"%{DEMO_DOMAIN}"))
        return int(await session.scalar(found) or 0)


@pytest.mark.postgres
async def test_demo_seed_and_setup_write_nothing_in_production_mode(
    pg_server: PostgresServer, pg_urls: DbUrls, tmp_path: Path
) -> None:
    # A production database with a pole: the seed has somewhere to write.
    db = pg_urls.database()
    try:
        await make_tenant(db)
        # The shared test database may hold other tests' demo accounts: none may be added.
        before = await _demo_users(db)
        message = await asyncio.to_thread(
            _refused, ["demo", "seed"], _production_env(pg_urls, tmp_path), tmp_path
        )
        assert message.startswith("maillage: erreur: MAILLAGE_MODE: ")
        assert await _demo_users(db) == before
    finally:
        await db.dispose()

    # `demo setup` refuses before its first step: a blank database stays blank.
    blank = await pg_server.create_database()
    blank_urls = DbUrls("postgres", blank.runtime, blank.owner, blank.platform)
    await asyncio.to_thread(
        _refused, ["demo", "setup"], _production_env(blank_urls, tmp_path), tmp_path
    )
    engine = make_engine(blank.owner)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    assert tables == []


async def test_the_seed_functions_refuse_production_and_unmarked_sessions(
    db_urls: DbUrls, db: Database
) -> None:
    tenant = await make_tenant(db)
    before = await _demo_users(db)
    production = Settings.from_env(
        {
            "MAILLAGE_MODE": "production",
            "MAILLAGE_SECRET_KEY": "p" * 48,
            "MAILLAGE_PUBLIC_URL": "https://maillage.example",
            "MAILLAGE_MAIL": "smtp://relais@127.0.0.1:2525",
            "MAILLAGE_DATABASE_URL": db_urls.runtime,
            "MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION": "1",
        }
    )
    host = PluginHost.from_settings(production)
    with pytest.raises(ConfigurationError) as refused:
        await seed_demo(host, db, production)
    assert refused.value.field == "MAILLAGE_MODE"
    # The demo accounts' writer itself: only in a session the demo seed opened.
    async with db.session(tenant.id) as session:
        with pytest.raises(ConfigurationError):
            await seed_accounts(tenant, session)
    assert await _demo_users(db) == before
