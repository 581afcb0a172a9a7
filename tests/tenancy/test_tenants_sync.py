"""``sync_tenants`` and ``maillage tenants``: all or nothing, idempotent, never deletes.

A sync deactivates every tenant that has no file, so these tests never run on the
shared PostgreSQL test database: each gets its own copy (``CREATE DATABASE …
TEMPLATE``) of a migrated database made once for this module.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select, text

from core.cli.main import main
from core.db.engine import make_engine
from core.tenancy.config import TenantConfigErrors
from core.tenancy.database import Database
from core.tenancy.models import PlatformAuditEvent
from core.tenancy.sync import SyncReport, list_tenants, sync_tenants
from core.testing.postgres import OWNER, PgUrls, PostgresServer
from tests.conftest import migrate_with_territory

SHIPPED = Path(__file__).resolve().parents[2] / "tenants"


class Urls:
    """One isolated database, one URL per role (the same three on SQLite)."""

    def __init__(self, runtime: str, owner: str, platform: str) -> None:
        self.runtime, self.owner, self.platform = runtime, owner, platform

    def sync_database(self) -> Database:
        """As ``maillage tenants sync`` connects: migration owner + platform role."""
        return Database(self.owner, platform_url=self.platform)


@pytest_asyncio.fixture(scope="module")
async def pg_tenancy_template(pg_server: PostgresServer) -> AsyncIterator[PgUrls]:
    urls = await pg_server.create_database(prefix="maillage_tenancy_template")
    await migrate_with_territory(urls.owner)
    yield urls
    await pg_server.drop_database(urls.database)


async def _admin_execute(server: PostgresServer, statement: str) -> None:
    url = server.admin_url.render_as_string(hide_password=False)
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def pg_isolated(
    pg_server: PostgresServer, pg_tenancy_template: PgUrls
) -> AsyncIterator[Urls]:
    name = f"maillage_tenancy_{uuid.uuid4().hex[:12]}"
    await _admin_execute(
        pg_server,
        f'CREATE DATABASE "{name}" TEMPLATE "{pg_tenancy_template.database}" OWNER "{OWNER}"',
    )

    def url(template_url: str) -> str:
        return template_url.replace(f"/{pg_tenancy_template.database}", f"/{name}")

    yield Urls(
        url(pg_tenancy_template.runtime),
        url(pg_tenancy_template.owner),
        url(pg_tenancy_template.platform),
    )
    await pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def urls(request: pytest.FixtureRequest) -> Urls:
    if request.param == "sqlite":
        sqlite = request.getfixturevalue("sqlite_urls")
        return Urls(sqlite.runtime, sqlite.owner, sqlite.platform)
    return request.getfixturevalue("pg_isolated")


@pytest_asyncio.fixture
async def sync_db(urls: Urls) -> AsyncIterator[Database]:
    db = urls.sync_database()
    yield db
    await db.dispose()


def copy_shipped(directory: Path) -> Path:
    shutil.copytree(SHIPPED, directory)
    return directory


def pole_toml(slug: str, departement: str = "59", commune: str = "59350", extra: str = "") -> str:
    return f"""slug = "{slug}"
name = "Pôle ressources handicap {slug}"
short_name = "PRH {slug[:20]}"
operator = "Association fictive"
departement = "{departement}"
{extra}
[contact]
commune = "{commune}"
"""


async def snapshot(db: Database) -> dict[str, dict[str, Any]]:
    """Every tenant row as plain values, to prove a failed sync changed nothing."""
    return {
        tenant.slug: {
            column: getattr(tenant, column)
            for column in ("name", "active", "settings", "contact", "updated_at")
        }
        for tenant in await list_tenants(db)
    }


# --- Sync ---------------------------------------------------------------------------------


async def test_shipped_directory_creates_both_demo_poles(sync_db: Database) -> None:
    report = await sync_tenants(sync_db, SHIPPED)

    assert report.created == ("pas-de-calais", "puy-de-dome")
    assert (report.updated, report.unchanged, report.deactivated) == ((), (), ())
    pdc = await sync_db.tenant_by_slug("pas-de-calais")
    assert pdc is not None
    assert (pdc.short_name, pdc.operator, pdc.departement_code) == (
        "PRH 62",
        "Gamins Exceptionnels",
        "62",
    )
    assert pdc.since_year == 2015
    assert pdc.active is True
    assert pdc.source_file == "pas-de-calais.toml"
    assert pdc.contact["commune"] == "62119"
    assert pdc.settings["default_loan_days"] == 21
    assert pdc.settings["timezone"] == "Europe/Paris"
    pdd = await sync_db.tenant_by_slug("puy-de-dome")
    assert pdd is not None and pdd.departement_code == "63"


async def test_second_sync_reports_everything_unchanged_and_writes_nothing(
    sync_db: Database,
) -> None:
    await sync_tenants(sync_db, SHIPPED)
    before = await snapshot(sync_db)

    again = await sync_tenants(sync_db, SHIPPED)

    assert again == SyncReport(unchanged=("pas-de-calais", "puy-de-dome"))
    assert not again.has_changes
    assert await snapshot(sync_db) == before


async def test_dry_run_reports_what_would_change_without_writing(sync_db: Database) -> None:
    report = await sync_tenants(sync_db, SHIPPED, dry_run=True)

    assert report.created == ("pas-de-calais", "puy-de-dome")
    assert report.dry_run
    assert await list_tenants(sync_db) == []


async def test_edited_file_updates_only_that_pole_and_names_the_changed_fields(
    sync_db: Database, tmp_path: Path
) -> None:
    directory = copy_shipped(tmp_path / "tenants")
    await sync_tenants(sync_db, directory)
    path = directory / "puy-de-dome.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("default_loan_days = 21", "default_loan_days = 28")
    )

    report = await sync_tenants(sync_db, directory)

    assert report.updated == ("puy-de-dome",)
    assert report.changed_fields == {"puy-de-dome": ("settings",)}
    assert report.unchanged == ("pas-de-calais",)
    pdd = await sync_db.tenant_by_slug("puy-de-dome")
    assert pdd is not None
    assert pdd.settings["default_loan_days"] == 28


async def test_removed_file_deactivates_the_pole_and_keeps_its_row(
    sync_db: Database, tmp_path: Path
) -> None:
    directory = copy_shipped(tmp_path / "tenants")
    await sync_tenants(sync_db, directory)
    first = await sync_db.tenant_by_slug("puy-de-dome")
    assert first is not None
    (directory / "puy-de-dome.toml").unlink()

    report = await sync_tenants(sync_db, directory)

    assert report.deactivated == ("puy-de-dome",)
    assert report.unchanged == ("pas-de-calais",)
    kept = await sync_db.tenant_by_slug("puy-de-dome")
    assert kept is not None
    assert kept.id == first.id
    assert kept.active is False
    assert kept.settings == first.settings
    assert (await sync_tenants(sync_db, directory)).deactivated == ()


async def test_file_brought_back_reactivates_the_same_pole(
    sync_db: Database, tmp_path: Path
) -> None:
    directory = copy_shipped(tmp_path / "tenants")
    await sync_tenants(sync_db, directory)
    saved = (directory / "puy-de-dome.toml").read_bytes()
    (directory / "puy-de-dome.toml").unlink()
    await sync_tenants(sync_db, directory)
    (directory / "puy-de-dome.toml").write_bytes(saved)

    report = await sync_tenants(sync_db, directory)

    assert report.updated == ("puy-de-dome",)
    assert report.changed_fields["puy-de-dome"] == ("active",)


async def test_sync_writes_through_an_audited_unscoped_block(sync_db: Database) -> None:
    await sync_tenants(sync_db, SHIPPED)

    async with sync_db.reference_session() as session:
        events = (
            await session.execute(
                select(PlatformAuditEvent).where(PlatformAuditEvent.reason == "tenants sync")
            )
        ).scalars()
        assert [(event.kind, event.actor) for event in events] == [("unscoped", "cli")]


async def test_list_tenants_orders_by_slug_and_includes_inactive(
    sync_db: Database, tmp_path: Path
) -> None:
    directory = copy_shipped(tmp_path / "tenants")
    (directory / "aisne.toml").write_text(
        pole_toml("aisne", "02", "02408", extra="active = false"), encoding="utf-8"
    )
    await sync_tenants(sync_db, directory)

    tenants = await list_tenants(sync_db)

    assert [(t.slug, t.active) for t in tenants] == [
        ("aisne", False),
        ("pas-de-calais", True),
        ("puy-de-dome", True),
    ]


def _bad_toml(directory: Path) -> None:
    (directory / "nord.toml").write_text('slug = "nord"\nname = \n', encoding="utf-8")


def _write(file: str, text: str) -> Callable[[Path], None]:
    def make(directory: Path) -> None:
        (directory / file).write_text(text, encoding="utf-8")

    return make


BAD_FILES = {
    "bad_toml": (_bad_toml, "nord.toml:line 2", "TOML invalide"),
    "unknown_key": (
        _write("nord.toml", pole_toml("nord", extra='fax = "03 00 00 00 01"')),
        "nord.toml:fax",
        "clé inconnue « fax »",
    ),
    "unknown_departement": (
        _write("nord.toml", pole_toml("nord", departement="96", commune="59350")),
        "nord.toml:departement",
        "département « 96 » inconnu",
    ),
    "commune_outside_departement": (
        _write("nord.toml", pole_toml("nord", commune="62119")),
        "nord.toml:contact.commune",
        "Béthune (62119) est dans le département 62",
    ),
    "duplicate_slug": (
        _write("lille.toml", pole_toml("pas-de-calais", "62", "62119")),
        "pas-de-calais.toml:slug",
        "déjà utilisé par lille.toml",
    ),
    "file_name_is_not_slug": (
        _write("lille.toml", pole_toml("nord")),
        "lille.toml:slug",
        "nord.toml",
    ),
    "setting_of_wrong_type": (
        _write("nord.toml", pole_toml("nord") + '[settings]\ndefault_loan_days = "3 semaines"\n'),
        "nord.toml:settings.default_loan_days",
        "nombre entier attendu",
    ),
    "setting_out_of_range": (
        _write("nord.toml", pole_toml("nord") + "[settings]\nretention_years_after_closing = 99\n"),
        "nord.toml:settings.retention_years_after_closing",
        "trop grand",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
async def test_one_bad_file_refuses_the_whole_sync_and_writes_nothing(
    sync_db: Database, tmp_path: Path, kind: str
) -> None:
    directory = copy_shipped(tmp_path / "tenants")
    await sync_tenants(sync_db, directory)
    before = await snapshot(sync_db)
    edited = directory / "pas-de-calais.toml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("PRH 62", "PRH 62 modifié"))
    (directory / "puy-de-dome.toml").unlink()
    (directory / "oise.toml").write_text(pole_toml("oise", "60", "60057"), encoding="utf-8")
    make_bad, field, reason = BAD_FILES[kind]
    make_bad(directory)

    with pytest.raises(TenantConfigErrors) as caught:
        await sync_tenants(sync_db, directory)

    problems = {problem.field: problem.reason for problem in caught.value.problems}
    assert field in problems, caught.value.message
    assert reason in problems[field]
    assert await snapshot(sync_db) == before
    assert await sync_db.tenant_by_slug("oise") is None


async def test_problems_of_files_and_references_are_reported_together(
    sync_db: Database, tmp_path: Path
) -> None:
    (tmp_path / "nord.toml").write_text(pole_toml("nord", commune="63300"), encoding="utf-8")
    (tmp_path / "oise.toml").write_text(pole_toml("oise", "60", "60057", extra="x = 1"))

    with pytest.raises(TenantConfigErrors) as caught:
        await sync_tenants(sync_db, tmp_path)

    assert [problem.field for problem in caught.value.problems] == [
        "oise.toml:x",
        "nord.toml:contact.commune",
    ]
    assert await list_tenants(sync_db) == []


async def test_empty_directory_is_refused_instead_of_deactivating_every_pole(
    sync_db: Database, tmp_path: Path
) -> None:
    await sync_tenants(sync_db, SHIPPED)
    empty = tmp_path / "empty"
    empty.mkdir()

    with pytest.raises(TenantConfigErrors, match="aucun fichier"):
        await sync_tenants(sync_db, empty)

    assert all(tenant.active for tenant in await list_tenants(sync_db))


# --- CLI ----------------------------------------------------------------------------------


def run_cli(argv: Sequence[str]) -> int:
    return main(list(argv))


@pytest.fixture
def cli_env(urls: Urls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = copy_shipped(tmp_path / "tenants")
    monkeypatch.setenv("MAILLAGE_DATABASE_URL", urls.runtime)
    monkeypatch.setenv("MAILLAGE_MIGRATION_DATABASE_URL", urls.owner)
    monkeypatch.setenv("MAILLAGE_PLATFORM_DATABASE_URL", urls.platform)
    monkeypatch.setenv("MAILLAGE_TENANTS_DIR", str(directory))
    monkeypatch.setenv("MAILLAGE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAILLAGE_LOG_FORMAT", "console")
    return directory


def test_cli_sync_reports_in_french_then_list_shows_the_poles(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["tenants", "sync", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "rien n'a été écrit" in dry
    assert "créés       : pas-de-calais, puy-de-dome" in dry

    assert run_cli(["tenants", "sync"]) == 0
    out = capsys.readouterr().out
    assert "créés       : pas-de-calais, puy-de-dome" in out
    # Every plugin the demo poles enable is installed (the four first-party ones).
    assert (
        "sont activés pas-de-calais/handisitting, pas-de-calais/snu_sessions, "
        "puy-de-dome/referent_charters, puy-de-dome/udaf_workshops ;" in out
    )
    assert "Non installés" not in out

    assert run_cli(["tenants", "sync"]) == 0
    again = capsys.readouterr().out
    assert "inchangés   : pas-de-calais, puy-de-dome" in again
    assert "créés       : —" in again

    assert run_cli(["tenants", "list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "slug",
        "nom",
        "court",
        "département",
        "actif",
        "extensions",
        "activées",
    ]
    # Each pole's enabled plugins, all four installed.
    assert table[2].split()[:5] == ["pas-de-calais", "PRH", "62", "62", "oui"]
    assert table[2].split()[-2:] == ["handisitting,", "snu_sessions"]
    assert table[3].split()[0] == "puy-de-dome"
    assert table[3].split()[-2:] == ["referent_charters,", "udaf_workshops"]


def test_cli_refuses_a_bad_file_naming_file_and_key_and_exits_2(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(cli_env, bad)
    (bad / "nord.toml").write_text(
        pole_toml("nord") + "[settings]\ndefault_loan_days = 0\n", encoding="utf-8"
    )

    assert run_cli(["tenants", "sync", "--dir", str(bad)]) == 2

    err = capsys.readouterr().err
    assert err.startswith("maillage: erreur: nord.toml:settings.default_loan_days: ")
    assert "trop petit" in err
    assert run_cli(["tenants", "list"]) == 0
    assert "Aucun pôle enregistré" in capsys.readouterr().out
