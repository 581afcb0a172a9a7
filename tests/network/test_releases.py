"""A pole's release from its figures to the network, through the real API on SQLite
and PostgreSQL: the pole's administrator prepares it (protected before anything is
stored), previews which cells are hidden and why, submits it; the network's
coordinator approves it and it is locked; a correction is a new version with a reason
that hides again what was hidden; refusals are coded and leave nothing written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.network.models import NetworkRelease, NetworkReleaseCell, NetworkReleaseSource
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.network.helpers import (
    ANALYST,
    APPROVE,
    COORDINATOR,
    POLE_ADMIN,
    POLE_RELEASES,
    PREPARE,
    RELEASE,
    SUBMIT,
    follow_children,
    make_network,
    run,
)

# Age brackets (default 0, 3, 6, 12): 3 under 3 (a primary secret), 15 aged 3–5, 30
# aged 6–11, 20 aged 12 or more.
AGES = {1: 3, 4: 15, 8: 30, 13: 20}


async def prepared(client: GraphQLClient, pole: Any, period: str = "2025", **kw: Any) -> Any:
    payload = await run(client, PREPARE, {"period": period, **kw}, tenant=pole, actor=POLE_ADMIN)
    return payload


def by_place(cells: list[dict[str, Any]], figure: str) -> dict[tuple[str, ...], dict[str, Any]]:
    return {
        tuple(c["code"] for c in cell["coordinates"]): cell
        for cell in cells
        if cell["figure"] == figure
    }


async def test_a_release_is_prepared_protected_submitted_approved_and_locked(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, AGES)

    payload = await prepared(client, two_poles.a)
    assert payload["errors"] == []
    release = payload["release"]
    assert release["status"] == "draft" and release["version"] == 1 and release["k"] == 11
    assert release["population"] > 1_000_000  # the Pas-de-Calais
    protection = release["protection"]
    assert protection["primary"] == 1 and protection["secondary"] >= 1
    assert protection["smallestInterval"] >= 11

    # The pole's preview: the true value of each hidden cell and its full reason.
    preview = await run(
        client, POLE_RELEASES, {"period": "2025"}, tenant=two_poles.a, actor=POLE_ADMIN
    )
    hidden = by_place(preview[0]["hiddenCells"], "casework.children_followed")
    assert hidden[("0-2",)]["value"] == 3 and hidden[("0-2",)]["secret"] == "primary"
    assert hidden[("0-2",)]["reason"] == "secret primaire : moins de 11 personnes"
    assert any(c["secret"] == "secondary" for c in hidden.values())
    assert all(
        c["intervalMax"] is None or c["intervalMax"] - c["intervalMin"] >= 11
        for c in hidden.values()
    )

    # The network sees no draft.
    missing = await client.execute(RELEASE, {"id": release["id"]}, actor=COORDINATOR)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    # Approving before submission is refused, coded, and changes nothing.
    early = await run(client, APPROVE, {"id": release["id"]}, actor=COORDINATOR)
    assert [e["code"] for e in early["errors"]] == ["CONFLICT"] and early["release"] is None

    submitted = await run(
        client, SUBMIT, {"id": release["id"]}, tenant=two_poles.a, actor=POLE_ADMIN
    )
    assert submitted["release"]["status"] == "submitted"
    # An analyst reads, never approves.
    refused = await client.execute(APPROVE, {"id": release["id"]}, actor=ANALYST)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    approved = await run(client, APPROVE, {"id": release["id"]}, actor=COORDINATOR)
    assert approved["errors"] == [] and approved["release"]["status"] == "published"
    again = await run(client, APPROVE, {"id": release["id"]}, actor=COORDINATOR)
    assert [e["code"] for e in again["errors"]] == ["CONFLICT"]
    assert "verrouillée" in again["errors"][0]["message"]

    # What the network reads: hidden cells carry no value and a reason that never
    # tells a primary secret from a complementary one.
    read = await run(client, RELEASE, {"id": release["id"]}, actor=ANALYST)
    cells = by_place(read["cells"], "casework.children_followed")
    assert cells[("0-2",)]["value"] is None and cells[("0-2",)]["hidden"]
    assert cells[("0-2",)]["reason"] == "secret statistique (seuil de 11 personnes)"
    assert cells[()]["value"] == 68
    assert cells[("6-11",)]["coordinates"][0]["label"] == "6 à 11 ans"
    shown = [c["value"] for c in read["cells"] if c["value"] is not None]
    assert shown and not any(1 <= v < 11 for v in shown)

    # Locked by the database too: no change to the published row or its cells.
    async with db.reference_session() as session:
        with pytest.raises(Exception, match="immutable"):
            await session.execute(
                update(NetworkReleaseCell)
                .where(NetworkReleaseCell.release_id == _uuid(release["id"]))
                .values(value=3)
            )
        await session.rollback()
        with pytest.raises(Exception, match="immutable"):
            await session.execute(
                update(NetworkRelease)
                .where(NetworkRelease.id == _uuid(release["id"]))
                .values(status="draft")
            )
        await session.rollback()


def _uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


async def test_a_correction_is_a_new_version_with_a_reason_that_hides_again_what_was_hidden(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, AGES)
    first = (await prepared(client, two_poles.a))["release"]
    await run(client, SUBMIT, {"id": first["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    await run(client, APPROVE, {"id": first["id"]}, actor=COORDINATOR)

    # Twenty more children under 3: the cell is no longer small, but stays hidden.
    await follow_children(db, two_poles.a, {2: 20})
    refused = await prepared(client, two_poles.a)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("VALIDATION", "reason")]
    second = await prepared(client, two_poles.a, reason="Enfants saisis en retard")
    assert second["errors"] == []
    assert second["release"]["version"] == 2
    assert second["release"]["reason"] == "Enfants saisis en retard"
    preview = await run(
        client, POLE_RELEASES, {"period": "2025"}, tenant=two_poles.a, actor=POLE_ADMIN
    )
    latest = next(p for p in preview if p["release"]["version"] == 2)
    hidden = by_place(latest["hiddenCells"], "casework.children_followed")
    assert hidden[("0-2",)]["value"] == 23 and hidden[("0-2",)]["secret"] == "inherited"
    earlier = next(p for p in preview if p["release"]["version"] == 1)
    first_hidden = set(by_place(earlier["hiddenCells"], "casework.children_followed"))
    assert first_hidden <= set(hidden)


async def test_refusals_are_coded_and_leave_nothing_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, AGES)

    async def counts() -> tuple[int, int]:
        async with db.reference_session() as session:
            return (
                (
                    await session.execute(select(func.count()).select_from(NetworkRelease))
                ).scalar_one(),
                (
                    await session.execute(select(func.count()).select_from(NetworkReleaseCell))
                ).scalar_one(),
            )

    before = await counts()
    bad = await prepared(client, two_poles.a, period="2025-T3")
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("VALIDATION", "period")]
    assert await counts() == before

    first = (await prepared(client, two_poles.a, period="2025-S1"))["release"]
    await run(client, SUBMIT, {"id": first["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    overlapping = await prepared(client, two_poles.a, period="2025")
    assert [(e["code"], e["field"]) for e in overlapping["errors"]] == [("CONFLICT", "period")]
    # The second half is no overlap.
    assert (await prepared(client, two_poles.a, period="2025-S2"))["errors"] == []

    # Another pole's release is not the pole's to submit.
    other = await run(client, SUBMIT, {"id": first["id"]}, tenant=two_poles.b, actor=POLE_ADMIN)
    assert [e["code"] for e in other["errors"]] == ["NOT_FOUND"]
    # A network person cannot prepare (a pole's action), a pole cannot approve.
    no_pole = await client.execute(PREPARE, {"period": "2025"}, actor=COORDINATOR)
    assert no_pole["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_network = await client.execute(
        APPROVE, {"id": first["id"]}, tenant=two_poles.a, actor=POLE_ADMIN
    )
    assert no_network["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A second preparation replaces the draft: still one version 1.
    await prepared(client, two_poles.a, period="2025-S2")
    async with db.session(two_poles.a.id) as session:
        sources = (
            await session.execute(
                select(func.count())
                .select_from(NetworkReleaseSource)
                .where(NetworkReleaseSource.period == "2025-S2")
            )
        ).scalar_one()
    assert sources == 1


DISCARD = """mutation($id: ID!) { discardNetworkRelease(id: $id) {
  discardedId errors { code field message } } }"""


async def test_an_abandoned_draft_blocks_no_period(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """A draft of the whole year does not keep the pole from its half-years: it is
    abandoned (or left, and then cannot be submitted once a half-year is)."""
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, AGES)
    year = (await prepared(client, two_poles.a, period="2025"))["release"]
    half = await prepared(client, two_poles.a, period="2025-S1")
    assert half["errors"] == []
    await run(client, SUBMIT, {"id": half["release"]["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    # The year's draft can no longer go to the network…
    late = await run(client, SUBMIT, {"id": year["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    assert [(e["code"], e["field"]) for e in late["errors"]] == [("CONFLICT", "period")]
    # …nor be abandoned by another pole, and a submitted version is not abandoned.
    other = await run(client, DISCARD, {"id": year["id"]}, tenant=two_poles.b, actor=POLE_ADMIN)
    assert [e["code"] for e in other["errors"]] == ["NOT_FOUND"]
    kept = await run(
        client, DISCARD, {"id": half["release"]["id"]}, tenant=two_poles.a, actor=POLE_ADMIN
    )
    assert [(e["code"], e["field"]) for e in kept["errors"]] == [("CONFLICT", "id")]
    no_network = await client.execute(DISCARD, {"id": year["id"]}, actor=COORDINATOR)
    assert no_network["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    gone = await run(client, DISCARD, {"id": year["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    assert gone == {"discardedId": year["id"], "errors": []}
    async with db.session(two_poles.a.id) as session:
        left = await session.get(NetworkRelease, uuid.UUID(year["id"]))
        sources = (
            await session.execute(
                select(func.count())
                .select_from(NetworkReleaseSource)
                .where(NetworkReleaseSource.release_id == uuid.UUID(year["id"]))
            )
        ).scalar_one()
    assert left is None and sources == 0
    preview = await run(client, POLE_RELEASES, {}, tenant=two_poles.a, actor=POLE_ADMIN)
    assert {p["release"]["id"] for p in preview} == {half["release"]["id"]}
    # The second half follows the first.
    assert (await prepared(client, two_poles.a, period="2025-S2"))["errors"] == []


SET_CATALOGUE = """mutation($entries: [NetworkCatalogueEntryInput!]!) {
  setNetworkCatalogue(entries: $entries) { version errors { code field message } } }"""


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        # Below the département: never.
        ({"figure": "casework.children_followed", "tables": [["commune"]]}, "tables[0]"),
        (
            {"figure": "casework.children_followed", "tables": [["age_bracket", "epci"]]},
            "tables[0]",
        ),
        # A child in several categories: the cells do not add up.
        ({"figure": "casework.children_followed", "tables": [["needs_profile"]]}, "tables[0]"),
        # A mean is no count.
        ({"figure": "questionnaires.satisfaction_rate", "tables": [[]]}, "figure"),
        ({"figure": "casework.nothing", "tables": [[]]}, "figure"),
    ],
)
async def test_the_catalogue_takes_only_coarse_counts_from_the_figure_definitions(
    client: GraphQLClient, db: Database, two_poles: TwoPoles, entry: dict[str, Any], field: str
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    answer = await run(client, SET_CATALOGUE, {"entries": [entry]}, actor=COORDINATOR)
    assert answer["version"] is None
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [
        ("VALIDATION", f"entries[0].{field}")
    ]
    refused = await client.execute(SET_CATALOGUE, {"entries": [entry]}, actor=ANALYST)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_release_holds_no_person_and_no_place_below_the_departement(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, AGES)
    release = (await prepared(client, two_poles.a))["release"]
    async with db.reference_session() as session:
        cells = (
            (
                await session.execute(
                    select(NetworkReleaseCell).where(
                        NetworkReleaseCell.release_id == _uuid(release["id"])
                    )
                )
            )
            .scalars()
            .all()
        )
    dimensions = {
        d for cell in cells for d, _ in (p.split("=", 1) for p in cell.coords.split("|") if p)
    }
    # Only the catalogue's coarse dimensions (no request was made: its total alone).
    assert dimensions == {"age_bracket"}
    # The network's tables have no column that could name a person or a commune.
    forbidden = {"child_id", "family_id", "first_name", "birth_date", "commune_insee", "epci_siren"}
    for table in (NetworkRelease.__table__, NetworkReleaseCell.__table__):
        assert not forbidden & {c.name for c in table.columns}


VERSIONED = """query($id: ID!) { networkRelease(id: $id) { catalogueVersion
  cells { figure } } }"""


async def test_a_new_catalogue_is_a_new_version_and_each_release_records_its_own(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, AGES)
    first = (await prepared(client, two_poles.a, period="2025-S1"))["release"]
    await run(client, SUBMIT, {"id": first["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    await run(client, APPROVE, {"id": first["id"]}, actor=COORDINATOR)
    before = await run(client, VERSIONED, {"id": first["id"]}, actor=ANALYST)
    assert {c["figure"] for c in before["cells"]} == {
        "casework.children_followed",
        "casework.requests",
    }

    # The coordinator drops the requests: a new version of the catalogue.
    entries = [{"figure": "casework.children_followed", "tables": [[], ["age_bracket"]]}]
    changed = await run(client, SET_CATALOGUE, {"entries": entries}, actor=COORDINATOR)
    assert changed["errors"] == [] and changed["version"] == before["catalogueVersion"] + 1
    second = (await prepared(client, two_poles.a, period="2025-S2"))["release"]
    await run(client, SUBMIT, {"id": second["id"]}, tenant=two_poles.a, actor=POLE_ADMIN)
    after = await run(client, VERSIONED, {"id": second["id"]}, actor=COORDINATOR)
    assert after["catalogueVersion"] == changed["version"]
    assert {c["figure"] for c in after["cells"]} == {"casework.children_followed"}
    # The published one keeps the version it was made with, and its cells.
    assert await run(client, VERSIONED, {"id": first["id"]}, actor=ANALYST) == before
