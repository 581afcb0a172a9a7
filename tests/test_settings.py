"""``Settings.from_env``: demo defaults, production refusals, each error naming its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import DEMO_SECRET_KEY, Mode, Settings
from core.tenancy.database import Database

GOOD_SECRET = "k" * 32
PG_URL = "postgresql+asyncpg://maillage_app@db.example/maillage"


def production(**overrides: str) -> dict[str, str]:
    env = {
        "MAILLAGE_MODE": "production",
        "MAILLAGE_SECRET_KEY": GOOD_SECRET,
        "MAILLAGE_DATABASE_URL": PG_URL,
        "MAILLAGE_PUBLIC_URL": "https://maillage.example",
        "MAILLAGE_MAIL": "smtp+starttls://relais@mail.example:587",
    }
    env.update(overrides)
    return env


def refused_field(env: dict[str, str]) -> str | None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(env)
    return caught.value.field


# --- demo defaults ------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[1]


def test_empty_environment_gives_demo_mode_with_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    var = ROOT / "var"
    assert settings.mode is Mode.DEMO
    assert not settings.is_production
    assert settings.var_dir == var
    assert settings.database_url == f"sqlite+aiosqlite:///{var / 'maillage.sqlite3'}"
    assert settings.migration_database_url == settings.database_url
    assert settings.platform_database_url == settings.database_url
    assert settings.is_sqlite
    assert settings.secret_key == DEMO_SECRET_KEY
    assert settings.graphiql is True
    assert settings.introspection is True
    assert settings.plugins is None
    assert settings.port == 8000
    assert settings.log_level == "INFO"


def test_the_default_database_is_the_installs_whatever_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a checkout, the install is the checkout: its var/ and tenants/, not
    the current folder's (a plugin's folder gave a new empty database: issue 16)."""
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.home == ROOT
    assert settings.var_dir == ROOT / "var"
    assert settings.tenants_dir == ROOT / "tenants"
    assert settings.database_url == f"sqlite+aiosqlite:///{ROOT / 'var' / 'maillage.sqlite3'}"


def test_home_holds_the_data_and_relative_folders_are_read_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    settings = Settings.from_env(
        {"MAILLAGE_HOME": str(tmp_path), "MAILLAGE_VAR_DIR": "données", "MAILLAGE_TENANTS_DIR": "p"}
    )
    assert settings.home == tmp_path.resolve()
    assert settings.var_dir == tmp_path.resolve() / "données"
    assert settings.tenants_dir == tmp_path.resolve() / "p"
    assert settings.database_source == "MAILLAGE_VAR_DIR"


def test_var_dir_moves_the_default_sqlite_database(tmp_path: Path) -> None:
    settings = Settings.from_env({"MAILLAGE_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/maillage.sqlite3"


def test_migration_and_platform_urls_default_down_the_chain() -> None:
    owner = "postgresql+asyncpg://maillage_owner@db/maillage"
    settings = Settings.from_env(
        {"MAILLAGE_DATABASE_URL": PG_URL, "MAILLAGE_MIGRATION_DATABASE_URL": owner}
    )
    assert settings.database_url == PG_URL
    assert settings.migration_database_url == owner
    assert settings.platform_database_url == owner


def test_settings_keep_no_raw_copy_of_the_environment() -> None:
    settings = Settings.from_env({"MAILLAGE_HOST": "0.0.0.0", "MAILLAGE_UNKNOWN": "zz-unknown"})
    assert settings.host == "0.0.0.0"
    assert "zz-unknown" not in repr(settings)


# --- production ---------------------------------------------------------------------------


def test_production_without_a_secret_is_refused() -> None:
    env = production()
    del env["MAILLAGE_SECRET_KEY"]
    assert refused_field(env) == "MAILLAGE_SECRET_KEY"


def test_production_refuses_the_demo_secret() -> None:
    assert refused_field(production(MAILLAGE_SECRET_KEY=DEMO_SECRET_KEY)) == "MAILLAGE_SECRET_KEY"


def test_production_refuses_a_secret_shorter_than_32_characters() -> None:
    assert refused_field(production(MAILLAGE_SECRET_KEY="k" * 31)) == "MAILLAGE_SECRET_KEY"


def test_production_refuses_the_tests_password_profile() -> None:
    assert refused_field(production(MAILLAGE_PASSWORD_PROFILE="tests")) == (
        "MAILLAGE_PASSWORD_PROFILE"
    )
    assert Settings.from_env(production()).password_profile == "rfc9106"
    assert Settings.from_env({"MAILLAGE_PASSWORD_PROFILE": "Tests"}).password_profile == "tests"


def test_production_refuses_sqlite_unless_explicitly_allowed() -> None:
    env = production()
    del env["MAILLAGE_DATABASE_URL"]
    assert refused_field(env) == "MAILLAGE_DATABASE_URL"

    allowed = Settings.from_env({**env, "MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION": "1"})
    assert allowed.is_production and allowed.is_sqlite


def test_production_with_postgresql_and_a_strong_secret_hides_graphiql_and_introspection() -> None:
    settings = Settings.from_env(production())
    assert settings.mode is Mode.PRODUCTION
    assert settings.is_production
    assert not settings.is_sqlite
    assert settings.secret_key == GOOD_SECRET
    assert settings.graphiql is False
    assert settings.introspection is False
    assert settings.allow_sqlite_in_production is False


def test_production_may_turn_graphiql_back_on_explicitly() -> None:
    settings = Settings.from_env(production(MAILLAGE_GRAPHIQL="yes"))
    assert settings.graphiql is True
    assert settings.introspection is False


def test_mode_is_case_insensitive() -> None:
    assert Settings.from_env(production(MAILLAGE_MODE=" Production ")).is_production


# --- malformed values name their variable -------------------------------------------------


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"MAILLAGE_MODE": "staging"}, "MAILLAGE_MODE"),
        ({"MAILLAGE_LOG_LEVEL": "verbose"}, "MAILLAGE_LOG_LEVEL"),
        ({"MAILLAGE_LOG_FORMAT": "xml"}, "MAILLAGE_LOG_FORMAT"),
        ({"MAILLAGE_PORT": "abc"}, "MAILLAGE_PORT"),
        ({"MAILLAGE_PORT": "0"}, "MAILLAGE_PORT"),
        ({"MAILLAGE_PORT": "65536"}, "MAILLAGE_PORT"),
        ({"MAILLAGE_PORT": "-1"}, "MAILLAGE_PORT"),
        ({"MAILLAGE_GRAPHIQL": "maybe"}, "MAILLAGE_GRAPHIQL"),
        ({"MAILLAGE_INTROSPECTION": "2"}, "MAILLAGE_INTROSPECTION"),
        ({"MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION": "oui"}, "MAILLAGE_ALLOW_SQLITE_IN_PRODUCTION"),
        ({"MAILLAGE_DATABASE_URL": "mysql://u@h/db"}, "MAILLAGE_DATABASE_URL"),
        ({"MAILLAGE_DATABASE_URL": "postgresql://u@h/db"}, "MAILLAGE_DATABASE_URL"),
        ({"MAILLAGE_DATABASE_URL": "sqlite:///x.db"}, "MAILLAGE_DATABASE_URL"),
        (
            {"MAILLAGE_DATABASE_URL": PG_URL, "MAILLAGE_MIGRATION_DATABASE_URL": "mysql://h/db"},
            "MAILLAGE_MIGRATION_DATABASE_URL",
        ),
        (
            {"MAILLAGE_DATABASE_URL": PG_URL, "MAILLAGE_PLATFORM_DATABASE_URL": "oracle://h/db"},
            "MAILLAGE_PLATFORM_DATABASE_URL",
        ),
        ({"MAILLAGE_SECRET_KEY": "  "}, "MAILLAGE_SECRET_KEY"),
        ({"MAILLAGE_DB_POOL_SIZE": "0"}, "MAILLAGE_DB_POOL_SIZE"),
        ({"MAILLAGE_DB_POOL_SIZE": "cinq"}, "MAILLAGE_DB_POOL_SIZE"),
        ({"MAILLAGE_DB_MAX_OVERFLOW": "-1"}, "MAILLAGE_DB_MAX_OVERFLOW"),
        ({"MAILLAGE_DB_POOL_RECYCLE": "5"}, "MAILLAGE_DB_POOL_RECYCLE"),
        ({"MAILLAGE_PASSWORD_PROFILE": "md5"}, "MAILLAGE_PASSWORD_PROFILE"),
    ],
)
def test_malformed_value_is_refused_naming_the_variable(env: dict[str, str], field: str) -> None:
    assert refused_field(env) == field


def test_the_pool_settings_reach_the_engine() -> None:
    settings = Settings.from_env(
        {
            "MAILLAGE_DATABASE_URL": PG_URL,
            "MAILLAGE_DB_POOL_SIZE": "5",
            "MAILLAGE_DB_MAX_OVERFLOW": "0",
            "MAILLAGE_DB_POOL_RECYCLE": "600",
        }
    )
    pool = Database.from_settings(settings).engine.sync_engine.pool
    assert (pool.size(), pool._max_overflow, pool._recycle) == (5, 0, 600)
    # No round trip at checkout: a dead connection is found on use (decision 93).
    assert pool._pre_ping is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), ("on", True), ("0", False), ("off", False), ("", False)],
)
def test_boolean_spellings(raw: str, expected: bool) -> None:
    assert Settings.from_env({"MAILLAGE_GRAPHIQL": raw}).graphiql is expected


def test_log_level_and_port_are_normalised() -> None:
    settings = Settings.from_env({"MAILLAGE_LOG_LEVEL": "debug", "MAILLAGE_PORT": "65535"})
    assert settings.log_level == "DEBUG"
    assert settings.port == 65535


# --- plugins ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("transport, accueil", ("accueil", "transport")),
        (" b , a ,, a ,", ("a", "b")),
        ("solo", ("solo",)),
        ("", ()),
        (" , ", ()),
    ],
)
def test_plugins_are_parsed_to_a_sorted_deduplicated_tuple(
    raw: str, expected: tuple[str, ...]
) -> None:
    assert Settings.from_env({"MAILLAGE_PLUGINS": raw}).plugins == expected


def test_plugins_unset_means_no_restriction() -> None:
    assert Settings.from_env({}).plugins is None


def test_secrets_and_database_urls_stay_out_of_repr() -> None:
    settings = Settings.from_env(
        {
            "MAILLAGE_SECRET_KEY": "s3cr3t-value-of-more-than-32-characters",
            "MAILLAGE_DATABASE_URL": "postgresql+asyncpg://app:pa55word@db/maillage",
        }
    )
    text = repr(settings)
    assert "s3cr3t" not in text and "pa55word" not in text
