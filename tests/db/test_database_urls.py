"""Database URLs in the form PostgreSQL hosts document (``?sslmode=require``…).

libpq's query parameters reach asyncpg translated, over a real connection to the
local server; what cannot be used is refused in one French line naming the variable.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.database_url import DatabaseUrlError, split_query
from core.errors import ConfigurationError
from core.settings import Settings
from core.tenancy.database import Database
from core.testing.postgres import PgUrls
from tests.cli.run import maillage

VARIABLES = (
    "MAILLAGE_DATABASE_URL",
    "MAILLAGE_MIGRATION_DATABASE_URL",
    "MAILLAGE_PLATFORM_DATABASE_URL",
)


def _env(urls: PgUrls, query: str) -> dict[str, str]:
    return {
        "MAILLAGE_DATABASE_URL": f"{urls.runtime}?{query}",
        "MAILLAGE_MIGRATION_DATABASE_URL": f"{urls.owner}?{query}",
        "MAILLAGE_PLATFORM_DATABASE_URL": f"{urls.platform}?{query}",
    }


@pytest.mark.postgres
async def test_libpq_parameters_are_applied_on_a_real_connection(pg_template: PgUrls) -> None:
    query = (
        "sslmode=disable&application_name=maillage-essai&connect_timeout=5"
        "&options=-c%20statement_timeout%3D4321"
    )
    db = Database(f"{pg_template.runtime}?{query}")
    try:
        async with db.engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "select current_setting('application_name'), "
                        "current_setting('statement_timeout'), "
                        "(select ssl from pg_stat_ssl where pid = pg_backend_pid())"
                    )
                )
            ).one()
    finally:
        await db.dispose()
    assert tuple(row) == ("maillage-essai", "4321ms", False)


@pytest.mark.postgres
def test_every_database_variable_accepts_sslmode_prefer(pg_template: PgUrls) -> None:
    result = maillage("tenants", "list", env=_env(pg_template, "sslmode=prefer"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    sync = maillage("db", "posture", env=_env(pg_template, "sslmode=disable"))
    assert sync.returncode == 0, sync.stderr


@pytest.mark.postgres
def test_sslmode_require_against_a_server_without_ssl_is_one_line(pg_template: PgUrls) -> None:
    # The local test server runs without SSL (ssl = off), like many internal ones.
    result = maillage("tenants", "list", env=_env(pg_template, "sslmode=require"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "TypeError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("maillage: erreur: MAILLAGE_DATABASE_URL: connexion à PostgreSQL")
    assert "SSL" in lines[0]


@pytest.mark.parametrize("variable", VARIABLES)
def test_an_unknown_parameter_is_refused_naming_the_variable(variable: str) -> None:
    url = "postgresql+asyncpg://maillage_app@db.example/maillage?sslmode=require&colour=blue"
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({variable: url})
    assert caught.value.field == variable
    assert "colour" in caught.value.message


def test_an_unknown_parameter_stops_the_command_with_status_2() -> None:
    url = "postgresql+asyncpg://maillage_app@db.example/maillage?sslmod=require"
    result = maillage("tenants", "list", env={"MAILLAGE_MIGRATION_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line, no traceback
    assert result.stderr.startswith("maillage: erreur: MAILLAGE_MIGRATION_DATABASE_URL: ")
    assert "'sslmod'" in result.stderr


def test_sslmode_values_are_libpqs() -> None:
    with pytest.raises(DatabaseUrlError, match="sslmode"):
        split_query("postgresql+asyncpg://h/d?sslmode=required")
    parsed = split_query("postgresql+asyncpg://u:p%40ss@h:5433/d?sslmode=verify-full&ssl=require")
    # SQLAlchemy's own asyncpg option stays in the URL; libpq's go through the DSN.
    assert parsed.url == "postgresql+asyncpg://u:p%40ss@h:5433/d?ssl=require"
    assert parsed.connect_args() == {"dsn": "postgresql://?sslmode=verify-full"}
