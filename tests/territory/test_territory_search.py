"""Territory reference: name normalisation, commune search and the idempotent loader.

Search and loader tests run on both databases (SQLite copy per test, shared
PostgreSQL template); tests that write the reference tables connect as the
migration owner, as ``maillage territory load`` does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from core.cli.main import main
from core.domain.areas.service import list_areas, upsert_area
from core.errors import ValidationError
from core.tenancy.database import Database
from core.territory.loader import load_territory, shipped_checksum
from core.territory.models import (
    Commune,
    CommunePostalCode,
    Departement,
    Epci,
    ReferenceDataset,
    Region,
)
from core.territory.names import normalize_name
from core.territory.search import MAX_QUERY_LENGTH, search_communes
from tests.conftest import DbUrls, make_tenant

CHATEL_GUYON = "63103"
SAINT_ETIENNE = "42218"
RIOM = "63300"
LUSSAT = "63200"  # INSEE code 63200, which is also Riom's postal code
BETHUNE = "62119"
DOURGES = "62274"  # postal code 62119
AJACCIO = "2A004"
RIOM_LIMAGNE_EPCI = "200070753"  # Riom Limagne et Volcans: Riom, Châtel-Guyon, Mozac…

SHIPPED_COUNTS = {"communes": 34_969, "epci": 1_255, "departements": 109, "regions": 26}
SHIPPED_POSTAL_CODES = 35_493  # (postal code, commune) pairs in communes.csv.gz


def codes(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.insee_code for c in page.items]


# --- normalize_name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Châtel-Guyon", "chatel guyon"),
        ("CHÂTEL-GUYON", "chatel guyon"),
        ("chatel  guyon", "chatel guyon"),
        ("St-Étienne", "saint etienne"),
        ("Saint Etienne", "saint etienne"),
        ("Ste-Marie-aux-Mines", "sainte marie aux mines"),
        ("STE MARIE", "sainte marie"),
        ("Sts-Geosmes", "saints geosmes"),
        ("Stes-Maries-de-la-Mer", "saintes maries de la mer"),
        ("Œuilly", "oeuilly"),
        ("Cœuvres-et-Valsery", "coeuvres et valsery"),
        ("Lætitia", "laetitia"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Isle-Adam", "l isle adam"),
        ("  Saint   Jean \t de  Luz  ", "saint jean de luz"),
        ("Saint-Jean-d'Angély", "saint jean d angely"),
        ("Estaires", "estaires"),
        ("Stenay", "stenay"),
        ("---", ""),
        ("", ""),
    ],
)
def test_normalize_name_folds_case_accents_ligatures_punctuation_and_saint_abbreviations(
    raw: str, expected: str
) -> None:
    assert normalize_name(raw) == expected


def test_normalize_name_makes_the_spellings_of_one_commune_identical() -> None:
    spellings = ["Châtel-Guyon", "CHÂTEL-GUYON", "Chatel-guyon", "chatel guyon", "Chatel Guyon"]
    assert {normalize_name(s) for s in spellings} == {"chatel guyon"}


# --- search by name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["chatel guyon", "CHÂTEL-GUYON", "Chatel-guyon", " châtel guyon "]
)
async def test_search_by_name_ignores_case_accents_and_hyphens(db: Database, query: str) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, query)
    assert page.items, query
    first = page.items[0]
    assert first.insee_code == CHATEL_GUYON
    assert first.name == "Châtel-Guyon"
    assert page.total >= 1


async def test_search_expands_st_to_saint_and_puts_the_exact_name_first(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "st etienne")
    assert codes(page)[0] == SAINT_ETIENNE
    assert page.items[0].name == "Saint-Étienne"
    # Many other communes contain "saint etienne" (Saint-Étienne-du-Rouvray, …).
    assert page.total > 1
    assert all("saint etienne" in normalize_name(c.name) for c in page.items)


async def test_search_results_carry_departement_epci_and_postal_codes(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "riom", departement="63", limit=1)
        riom = page.items[0]
        assert riom.insee_code == RIOM
        assert riom.departement.code == "63"
        assert riom.epci is not None and riom.epci.siren == RIOM_LIMAGNE_EPCI
        assert [p.postal_code for p in riom.postal_codes] == ["63200"]


async def test_search_ranks_names_starting_with_the_query_before_names_merely_containing_it(
    db: Database,
) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "riom", limit=100)
    names = [normalize_name(c.name) for c in page.items]
    assert names[0] == "riom"
    starts = [i for i, n in enumerate(names) if n.startswith("riom")]
    word = [i for i, n in enumerate(names) if not n.startswith("riom") and " riom" in n]
    assert starts and word
    assert max(starts) < min(word)


# --- search by code -----------------------------------------------------------------------


async def test_postal_code_finds_every_commune_it_serves(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "63200", limit=50)
    found = codes(page)
    assert RIOM in found
    assert {"63245", "63212", "63224"} <= set(found)  # Mozac, Marsat, Ménétrol
    # 63200 is also Lussat's INSEE code: the INSEE match comes first, then by population.
    assert found[0] == LUSSAT
    assert found[1] == RIOM
    assert page.total == len(found)
    async with db.reference_session() as session:
        served = (
            await session.execute(
                select(func.count())
                .select_from(CommunePostalCode)
                .where(CommunePostalCode.postal_code == "63200")
            )
        ).scalar_one()
    assert page.total == served + 1  # + Lussat, matched by INSEE code only


async def test_insee_code_match_comes_before_postal_code_match(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "62119")
    assert codes(page)[0] == BETHUNE
    assert DOURGES in codes(page)[1:]
    assert page.items[0].name == "Béthune"


@pytest.mark.parametrize("query", ["2A004", "2a004"])
async def test_corsican_insee_code_is_recognised(db: Database, query: str) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, query)
    assert codes(page)[0] == AJACCIO
    assert page.items[0].name == "Ajaccio"
    assert page.items[0].departement.code == "2A"


# --- filters and paging -------------------------------------------------------------------


async def test_departement_filter_keeps_only_that_departement(db: Database) -> None:
    async with db.reference_session() as session:
        everywhere = await search_communes(session, "saint", limit=200)
        in_63 = await search_communes(session, "saint", departement="63", limit=200)
    assert in_63.items
    assert {c.departement_code for c in in_63.items} == {"63"}
    assert {c.departement_code for c in everywhere.items} != {"63"}
    assert 0 < in_63.total < everywhere.total


async def test_departement_filter_alone_lists_the_departement_largest_first(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "", departement="63", limit=5)
        in_63 = (
            await session.execute(
                select(func.count()).select_from(Commune).where(Commune.departement_code == "63")
            )
        ).scalar_one()
    assert page.total == in_63
    assert codes(page)[0] == "63113"  # Clermont-Ferrand
    populations = [c.population for c in page.items]
    assert populations == sorted(populations, reverse=True)


async def test_epci_filter_keeps_only_that_epci(db: Database) -> None:
    async with db.reference_session() as session:
        members = await search_communes(session, "", epci=RIOM_LIMAGNE_EPCI, limit=100)
        expected = set(
            (
                await session.execute(
                    select(Commune.insee_code).where(Commune.epci_siren == RIOM_LIMAGNE_EPCI)
                )
            ).scalars()
        )
        with_name = await search_communes(session, "chatel", epci=RIOM_LIMAGNE_EPCI)
    assert set(codes(members)) == expected
    assert members.total == len(expected)
    assert {CHATEL_GUYON, RIOM} <= expected
    assert codes(with_name) == [CHATEL_GUYON]


async def test_filters_combine_with_a_code_query(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "63200", epci="200072098")
    assert page.items
    assert RIOM not in codes(page)
    assert {c.epci_siren for c in page.items} == {"200072098"}


async def test_paging_splits_the_ordered_results_without_overlap(db: Database) -> None:
    async with db.reference_session() as session:
        whole = await search_communes(session, "saint", limit=10)
        first = await search_communes(session, "saint", limit=5, offset=0)
        second = await search_communes(session, "saint", limit=5, offset=5)
        beyond = await search_communes(session, "saint", limit=5, offset=whole.total)
    assert len(first.items) == len(second.items) == 5
    assert codes(first) + codes(second) == codes(whole)
    assert first.total == second.total == whole.total == beyond.total
    assert whole.total > 1000
    assert beyond.items == []


# --- hostile or empty input ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["%", "_", "%%", "sa_nt", "saint%etienne", "s%"])
async def test_like_wildcards_in_the_query_are_matched_literally(db: Database, query: str) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, query)
    assert page.total == 0
    assert page.items == []


async def test_a_backslash_in_the_query_is_literal_too(db: Database) -> None:
    async with db.reference_session() as session:
        page = await search_communes(session, "saint\\")
    assert page.total == 0


async def test_query_longer_than_the_limit_is_refused_on_the_search_field(db: Database) -> None:
    async with db.reference_session() as session:
        with pytest.raises(ValidationError) as caught:
            await search_communes(session, "a" * (MAX_QUERY_LENGTH + 1))
        # At the limit (surrounding spaces stripped) the query is accepted.
        page = await search_communes(session, "  " + "a" * MAX_QUERY_LENGTH + "  ")
    assert caught.value.field == "search"
    assert page.total == 0


@pytest.mark.parametrize("query", ["", "   ", "--", "'"])
async def test_empty_query_without_filters_is_refused(db: Database, query: str) -> None:
    async with db.reference_session() as session:
        with pytest.raises(ValidationError) as caught:
            await search_communes(session, query)
    assert caught.value.field == "search"


# --- loader -------------------------------------------------------------------------------


async def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_loaded_reference_has_every_shipped_row(db: Database) -> None:
    async with db.reference_session() as session:
        counts = {
            "communes": await _count(session, Commune),
            "epci": await _count(session, Epci),
            "departements": await _count(session, Departement),
            "regions": await _count(session, Region),
        }
        dataset = await session.get(ReferenceDataset, "territory")
        postal_rows = await _count(session, CommunePostalCode)
        without_postal = set(
            (
                await session.execute(
                    select(Commune.departement_code).where(
                        ~Commune.insee_code.in_(select(CommunePostalCode.insee_code))
                    )
                )
            ).scalars()
        )
    assert counts == SHIPPED_COUNTS
    assert dataset is not None
    assert dataset.checksum == shipped_checksum()
    assert dataset.rows == SHIPPED_COUNTS["communes"]
    assert postal_rows == SHIPPED_POSTAL_CODES
    # Only the uninhabited TAAF districts have no postal code.
    assert without_postal == {"984"}


async def test_loading_the_same_files_again_changes_nothing(db: Database) -> None:
    async with db.reference_session() as session:
        report = await load_territory(session)
        await session.commit()
    assert report.loaded is False
    assert report.checksum == shipped_checksum()
    assert report.counts == {"communes": SHIPPED_COUNTS["communes"]}


async def test_forced_reload_refreshes_rows_in_place_and_keeps_pole_areas(
    db: Database, db_urls: DbUrls
) -> None:
    tenant = await make_tenant(db, departement="63")
    async with db.session(tenant.id) as session:
        await upsert_area(session, name="Combrailles", insee_codes=[CHATEL_GUYON, RIOM, "63245"])
        await session.commit()

    owner = Database(db_urls.owner)
    try:
        # Damage a row: a plain load leaves it (same checksum), a forced one repairs it.
        async with owner.reference_session() as session:
            await session.execute(
                update(Commune).where(Commune.insee_code == CHATEL_GUYON).values(name="Abîmé")
            )
            await session.commit()
        try:
            async with owner.reference_session() as session:
                unforced = await load_territory(session)
                await session.commit()
            async with owner.reference_session() as session:
                damaged = await session.get(Commune, CHATEL_GUYON)
                assert damaged is not None and damaged.name == "Abîmé"
        finally:
            async with owner.reference_session() as session:
                forced = await load_territory(session, force=True)
                await session.commit()
    finally:
        await owner.dispose()

    assert unforced.loaded is False
    assert forced.loaded is True
    assert forced.checksum == shipped_checksum()
    assert forced.counts == {**SHIPPED_COUNTS, "postal_codes": SHIPPED_POSTAL_CODES}

    async with db.reference_session() as session:
        repaired = await session.get(Commune, CHATEL_GUYON)
        assert repaired is not None and repaired.name == "Châtel-Guyon"
        assert await _count(session, Commune) == SHIPPED_COUNTS["communes"]
        assert await _count(session, CommunePostalCode) == SHIPPED_POSTAL_CODES
        page = await search_communes(session, "chatel guyon")
        assert codes(page)[0] == CHATEL_GUYON

    async with db.session(tenant.id) as session:
        areas = await list_areas(session)
    assert [a.name for a in areas] == ["Combrailles"]
    links = {link.commune.insee_code: link.commune for link in areas[0].communes}
    assert sorted(links) == [CHATEL_GUYON, "63245", RIOM]
    assert links[CHATEL_GUYON].name == "Châtel-Guyon"


# --- CLI ----------------------------------------------------------------------------------


@pytest.fixture
def restore_maillage_logger() -> Iterator[None]:
    """``main()`` reconfigures the "maillage" logger; put it back afterwards."""
    logger = logging.getLogger("maillage")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def cli_env(sqlite_urls: DbUrls, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads its settings from the environment: point it at the test database."""
    monkeypatch.setenv("MAILLAGE_MODE", "demo")
    monkeypatch.setenv("MAILLAGE_DATABASE_URL", sqlite_urls.runtime)
    monkeypatch.setenv("MAILLAGE_MIGRATION_DATABASE_URL", sqlite_urls.owner)
    monkeypatch.setenv("MAILLAGE_PLATFORM_DATABASE_URL", sqlite_urls.platform)


def test_cli_territory_search_prints_the_commune_first(
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
    restore_maillage_logger: None,
) -> None:

    status = main(["territory", "search", "chatel guyon"])

    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("63103  Châtel-Guyon")
    assert "63140" in lines[0]
    assert lines[-1].endswith("résultat(s)")


def test_cli_territory_search_reports_a_bad_query_on_stderr_with_status_2(
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
    restore_maillage_logger: None,
) -> None:

    status = main(["territory", "search", "x" * (MAX_QUERY_LENGTH + 1)])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.startswith("maillage: erreur: search: ")
