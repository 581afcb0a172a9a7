"""Parsing and validation of ``tenants/*.toml``: every problem named by file, key and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from core.errors import ConfigurationError, ErrorCode
from core.tenancy.config import (
    TENANT_SETTINGS,
    TenantConfigError,
    TenantConfigErrors,
    load_tenant_dir,
    validate_against_reference,
)
from core.tenancy.database import Database

SHIPPED = Path(__file__).resolve().parents[2] / "tenants"


def pole_toml(
    slug: str = "nord",
    *,
    departement: str = "59",
    commune: str = "59350",
    settings: str = "",
    extra: str = "",
    plugins: str = "",
) -> str:
    """A valid pole file; each argument bends one part of it."""
    return f"""slug = "{slug}"
name = "Pôle ressources handicap {slug}"
short_name = "PRH {slug[:20]}"
operator = "Association fictive"
departement = "{departement}"
since = 2019
{extra}
[contact]
email = "contact@{slug}.example"
phone = "03 00 00 00 00"
commune = "{commune}"

[settings]
{settings}

[plugins.handisitting]
enabled = true
{plugins}
"""


def write(directory: Path, file: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(directory: Path) -> TenantConfigError:
    with pytest.raises(TenantConfigErrors) as caught:
        load_tenant_dir(directory)
    assert len(caught.value.problems) == 1, caught.value.message
    return caught.value.problems[0]


# --- The shipped files --------------------------------------------------------------------


def test_shipped_demo_poles_parse_with_their_plugins_and_merged_settings() -> None:
    configs = {config.slug: config for config in load_tenant_dir(SHIPPED)}

    assert set(configs) == {"pas-de-calais", "puy-de-dome"}
    pdc, pdd = configs["pas-de-calais"], configs["puy-de-dome"]
    assert (pdc.departement, pdc.since, pdc.operator) == ("62", 2015, "Gamins Exceptionnels")
    assert (pdd.departement, pdd.since) == ("63", 2021)
    assert pdc.contact.commune == "62119"
    assert pdd.contact.commune == "63300"
    assert pdc.enabled_plugins == ["handisitting", "snu_sessions"]
    assert pdd.enabled_plugins == ["referent_charters", "udaf_workshops"]
    for config in (pdc, pdd):
        assert config.settings == {name: spec.default for name, spec in TENANT_SETTINGS.items()}
        assert config.settings["default_loan_days"] == 21
        assert config.contact.email and config.contact.email.endswith(".example")
        assert config.file == f"{config.slug}.toml"


async def test_shipped_demo_poles_name_existing_departements_and_communes(db: Database) -> None:
    configs = load_tenant_dir(SHIPPED)
    async with db.reference_session() as session:
        await validate_against_reference(session, configs)


# --- Structural problems ------------------------------------------------------------------


def test_bad_toml_is_reported_with_its_line_number(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", 'slug = "nord"\nname = "Pôle"\nshort_name = = "PRH"\n')

    problem = only_problem(tmp_path)

    assert problem.field == "nord.toml:line 3"
    assert "TOML invalide" in problem.reason
    assert "Invalid value" in problem.reason


def test_unknown_top_level_key_is_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(extra='director = "Mme Exemple"'))

    problem = only_problem(tmp_path)

    assert problem.field == "nord.toml:director"
    assert "clé inconnue « director »" in problem.reason


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"extra": '[fax]\nnumber = "1"'}, "nord.toml:fax"),
        ({"settings": "loan_days = 21"}, "nord.toml:settings.loan_days"),
        ({"plugins": 'colour = "blue"'}, "nord.toml:plugins.handisitting.colour"),
    ],
)
def test_unknown_nested_key_is_refused_with_its_path(
    tmp_path: Path, kwargs: dict[str, Any], field: str
) -> None:
    write(tmp_path, "nord.toml", pole_toml(**kwargs))

    problem = only_problem(tmp_path)

    assert problem.field == field
    assert "clé inconnue" in problem.reason


def test_unknown_contact_key_is_refused_with_its_path(tmp_path: Path) -> None:
    text = pole_toml().replace("[contact]\n", '[contact]\nfax = "03 00 00 00 01"\n')
    write(tmp_path, "nord.toml", text)

    problem = only_problem(tmp_path)

    assert problem.field == "nord.toml:contact.fax"
    assert "clé inconnue « fax »" in problem.reason


def test_file_name_must_be_the_slug(tmp_path: Path) -> None:
    write(tmp_path, "lille.toml", pole_toml("nord"))

    problem = only_problem(tmp_path)

    assert problem.field == "lille.toml:slug"
    assert "nord.toml" in problem.reason


def test_duplicate_slug_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml("nord"))
    write(tmp_path, "nord-bis.toml", pole_toml("nord"))

    with pytest.raises(TenantConfigErrors) as caught:
        load_tenant_dir(tmp_path)

    fields = {problem.field: problem.reason for problem in caught.value.problems}
    assert "nord.toml:slug" in fields
    assert "nord-bis.toml" in fields["nord.toml:slug"]
    assert "déjà utilisé par nord-bis.toml" in fields["nord.toml:slug"]


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ('default_loan_days = "21"', "nombre entier attendu"),
        ("default_loan_days = 21.5", "nombre entier attendu"),
        ("default_loan_days = true", "nombre entier attendu"),
        ("default_loan_days = 0", "trop petit"),
        ("default_loan_days = 366", "trop grand"),
        ("retention_years_after_closing = 31", "trop grand"),
        ('locale = "de"', "non admise"),
        ('timezone = "Europe/Béthune"', "fuseau horaire inconnu"),
        ("timezone = 1", "texte attendu"),
        ('age_brackets = "0-3"', "liste d'âges entiers attendue"),
        ("age_brackets = [3, 6]", "commencent à 0"),
        ("age_brackets = [0, 6, 6]", "croissent strictement"),
        ("age_brackets = [0, 30]", "jusqu'à 25 ans"),
    ],
)
def test_setting_of_wrong_type_or_out_of_range_is_refused(
    tmp_path: Path, setting: str, reason: str
) -> None:
    write(tmp_path, "nord.toml", pole_toml(settings=setting))

    problem = only_problem(tmp_path)

    assert problem.field == f"nord.toml:settings.{setting.split(' =')[0]}"
    assert reason in problem.reason


def test_given_settings_override_defaults_and_the_rest_are_merged(tmp_path: Path) -> None:
    write(
        tmp_path,
        "nord.toml",
        pole_toml(settings='default_loan_days = 14\nlocale = "en"\nage_brackets = [0, 6, 11]'),
    )

    (config,) = load_tenant_dir(tmp_path)

    assert config.settings["age_brackets"] == [0, 6, 11]
    assert config.settings["default_loan_days"] == 14
    assert config.settings["locale"] == "en"
    assert config.settings["retention_years_after_closing"] == 5
    assert set(config.settings) == set(TENANT_SETTINGS)


@pytest.mark.parametrize("slug", ["ab", "Nord", "nord_59", "-nord", "nord-", "n" * 64])
def test_malformed_slug_is_refused(tmp_path: Path, slug: str) -> None:
    write(tmp_path, f"{slug}.toml", pole_toml(slug))

    problem = only_problem(tmp_path)

    assert problem.field == f"{slug}.toml:slug"
    assert "invalide" in problem.reason


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        (pole_toml().replace('departement = "59"\n', ""), "departement", "obligatoire"),
        (pole_toml().replace('departement = "59"', "departement = 59"), "departement", "texte"),
        (pole_toml().replace("since = 2019", "since = 1789"), "since", "improbable"),
        (pole_toml().replace('phone = "03 00 00 00 00"', 'phone = "appeler"'), "contact.phone", ""),
        (pole_toml().replace('commune = "59350"', 'commune = "Lille"'), "contact.commune", ""),
        (pole_toml(extra="active = 1"), "active", "booléen"),
        (pole_toml(extra='description = ["x"]'), "description", "texte"),
    ],
)
def test_missing_or_mistyped_value_is_refused(
    tmp_path: Path, text: str, field: str, reason: str
) -> None:
    write(tmp_path, "nord.toml", text)

    problem = only_problem(tmp_path)

    assert problem.field == f"nord.toml:{field}"
    assert reason in problem.reason


def test_plugin_needs_an_enabled_flag(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(plugins="[plugins.snu_sessions]\nsettings = {}"))

    problem = only_problem(tmp_path)

    assert problem.field == "nord.toml:plugins.snu_sessions.enabled"
    assert "obligatoire" in problem.reason


def test_malformed_plugin_name_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(plugins='[plugins."SNU-sessions"]\nenabled = true'))

    problem = only_problem(tmp_path)

    assert problem.field == "nord.toml:plugins.SNU-sessions"


def test_plugin_settings_are_kept_as_given(tmp_path: Path) -> None:
    plugins = "[plugins.snu_sessions]\nenabled = false\n[plugins.snu_sessions.settings]\nmax = 30"
    write(tmp_path, "nord.toml", pole_toml(plugins=plugins))

    (config,) = load_tenant_dir(tmp_path)

    assert config.plugins_dict() == {
        "handisitting": {"enabled": True, "settings": {}},
        "snu_sessions": {"enabled": False, "settings": {"max": 30}},
    }
    assert config.enabled_plugins == ["handisitting"]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(settings="default_loan_days = 0\nfoo = 1"))
    write(tmp_path, "somme.toml", "slug = \n")
    write(tmp_path, "oise.toml", pole_toml("oise", departement="60", commune="60057"))

    with pytest.raises(TenantConfigErrors) as caught:
        load_tenant_dir(tmp_path)

    error = caught.value
    assert [problem.field for problem in error.problems] == [
        "nord.toml:settings.foo",
        "nord.toml:settings.default_loan_days",
        "somme.toml:line 1",
    ]
    assert isinstance(error, ConfigurationError)
    assert error.code is ErrorCode.VALIDATION
    assert error.message.startswith("3 problèmes")
    for problem in error.problems:
        assert f"{problem.field}: {problem.reason}" in error.message


def test_single_problem_reads_like_that_problem(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(settings="default_loan_days = 0"))

    with pytest.raises(TenantConfigError) as caught:
        load_tenant_dir(tmp_path)

    assert caught.value.field == "nord.toml:settings.default_loan_days"
    assert "trop petit" in caught.value.message


def test_empty_or_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TenantConfigErrors, match="aucun fichier"):
        load_tenant_dir(tmp_path)
    with pytest.raises(TenantConfigErrors, match="introuvable"):
        load_tenant_dir(tmp_path / "absent")


def test_non_toml_and_hidden_files_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml())
    write(tmp_path, "README.md", "# pôles")
    write(tmp_path, ".nord.toml", "not = = toml")

    assert [config.slug for config in load_tenant_dir(tmp_path)] == ["nord"]


# --- Reference problems -------------------------------------------------------------------


async def reference_error(db: Database, directory: Path) -> TenantConfigErrors:
    configs = load_tenant_dir(directory)
    async with db.reference_session() as session:
        with pytest.raises(TenantConfigErrors) as caught:
            await validate_against_reference(session, configs)
    return caught.value


async def test_unknown_departement_is_refused(db: Database, tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(departement="99"))

    error = await reference_error(db, tmp_path)

    assert [problem.field for problem in error.problems] == [
        "nord.toml:departement",
        "nord.toml:contact.commune",
    ]
    assert "département « 99 » inconnu" in error.problems[0].reason


async def test_contact_commune_outside_the_poles_departement_is_refused(
    db: Database, tmp_path: Path
) -> None:
    write(tmp_path, "nord.toml", pole_toml(commune="63300"))

    error = await reference_error(db, tmp_path)

    assert error.field == "nord.toml:contact.commune"
    assert "Riom (63300) est dans le département 63" in error.message


async def test_unknown_commune_is_refused(db: Database, tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(commune="59999"))

    error = await reference_error(db, tmp_path)

    assert error.field == "nord.toml:contact.commune"
    assert "inconnue" in error.message


async def test_reference_checks_cost_one_query_per_table_whatever_the_file_count(
    db: Database, tmp_path: Path
) -> None:
    for slug, departement, commune in [
        ("nord", "59", "59350"),
        ("oise", "60", "60057"),
        ("somme", "80", "80021"),
        ("aisne", "02", "02408"),
        ("corse-du-sud", "2A", "2A004"),
    ]:
        write(tmp_path, f"{slug}.toml", pole_toml(slug, departement=departement, commune=commune))
    configs = load_tenant_dir(tmp_path)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.reference_session() as session:
            await validate_against_reference(session, configs)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    assert len([s for s in statements if "FROM departements" in s]) == 1
    assert len([s for s in statements if "FROM communes" in s]) == 1


OIDC_OK = """
[oidc]
issuer = "https://identite.exemple.gouv.fr/api/v2"
client_id = "maillage-prh"
client_secret_env = "MAILLAGE_OIDC_SECRET_NORD"
label = "ProConnect"
email_verification = "provider"
"""


def test_an_oidc_provider_is_read_with_its_defaults(tmp_path: Path) -> None:
    write(tmp_path, "nord.toml", pole_toml(plugins=OIDC_OK))
    (config,) = load_tenant_dir(tmp_path)
    assert config.oidc == {
        "issuer": "https://identite.exemple.gouv.fr/api/v2",
        "client_id": "maillage-prh",
        "client_secret_env": "MAILLAGE_OIDC_SECRET_NORD",
        "label": "ProConnect",
        "scopes": "openid email given_name usual_name",
        "email_verification": "provider",
    }


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('issuer = "http://identite.exemple.fr"', "oidc.issuer"),
        ('client_secret = "en clair"', "oidc.client_secret"),
        ('client_secret_env = "mon secret"', "oidc.client_secret_env"),
        ('scopes = "email"', "oidc.scopes"),
        ('email_verification = "jamais"', "oidc.email_verification"),
    ],
)
def test_a_wrong_oidc_table_is_refused_by_key(tmp_path: Path, line: str, key: str) -> None:
    name = line.split(" = ")[0]
    lines = [x for x in OIDC_OK.splitlines() if not x.startswith(name + " =")] + [line]
    write(tmp_path, "nord.toml", pole_toml(plugins="\n".join(lines)))
    assert only_problem(tmp_path).field == f"nord.toml:{key}"
