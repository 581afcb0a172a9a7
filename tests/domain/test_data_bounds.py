"""Data that used to be accepted and should not be, through the real API on SQLite and
PostgreSQL: a kit reservation a century away, a family living outside the pole's
territory without a word, an amount silently dropped in a family's free first year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from core.access.actions import Actor
from core.domain.adhesions.models import Adhesion
from core.domain.families.models import Family
from core.domain.kits.models import KitLoan
from core.domain.kits.service import MAX_AHEAD_DAYS
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.domain.test_kits import RESERVE, creche, publish

STAFF = Actor(
    subject="test:bounds-staff", display_name="Équipe de test", roles=frozenset({"coordinator"})
)
FAMILY = """mutation($commune: String!) { createFamily(input: { name: "Famille Fictive",
  communeInsee: $commune }) { family { id } errors { code field }
  warnings { code field message } } }"""
MOVE = """mutation($id: ID!, $commune: String!) {
  updateFamily(id: $id, input: { communeInsee: $commune }) {
  family { id } errors { code field } warnings { code field message } } }"""
ADHERE = """mutation($input: AdhesionInput!) { registerAdhesion(input: $input) {
  adhesion { amountCents firstYearFree } errors { code field message } } }"""


async def run(client: GraphQLClient, pole: Any, query: str, **variables: Any) -> Any:
    result = await client.execute(query, variables, tenant=pole, actor=STAFF)
    assert "errors" not in result, result
    (value,) = result["data"].values()
    return value


async def count(db: Database, pole: Any, model: type) -> int:
    async with db.session(pole.id) as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_reservation_a_century_away_is_refused_last_year_s_is_not(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    kit = await publish(client, pole, STAFF)
    structure = await creche(client, pole, STAFF)
    today = dt.date.today()

    def reserve(starts_on: dt.date) -> Any:
        return run(
            client,
            pole,
            RESERVE,
            input={"kitId": kit["id"], "structureId": structure, "startsOn": str(starts_on)},
        )

    for far in (today.replace(year=today.year - 100), today + dt.timedelta(MAX_AHEAD_DAYS + 1)):
        refused = await reserve(far)
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("VALIDATION", "startsOn")
        ], far
    assert await count(db, pole, KitLoan) == 0
    # Entered after the fact: a loan of January of last year still completes that
    # year's report; one within two years ahead is a booking.
    for fine in (dt.date(today.year - 1, 1, 1), today + dt.timedelta(MAX_AHEAD_DAYS - 30)):
        done = await reserve(fine)
        assert done["errors"] == [], (fine, done)
    before = dt.date(today.year - 1, 1, 1) - dt.timedelta(days=1)
    assert (await reserve(before))["errors"][0]["field"] == "startsOn"


async def test_a_family_outside_the_pole_s_territory_is_kept_with_a_warning(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a  # Pas-de-Calais (62), service area Artois
    inside = await run(client, pole, FAMILY, commune="62119")
    assert inside["errors"] == [] and inside["warnings"] == []
    # Clermont-Ferrand is in the Puy-de-Dôme: accepted (a family may live across the
    # border) but said, so a typo in the INSEE code is seen at once.
    outside = await run(client, pole, FAMILY, commune="63113")
    assert outside["errors"] == [] and outside["family"]["id"]
    (warning,) = outside["warnings"]
    assert (warning["code"], warning["field"]) == ("OUTSIDE_TERRITORY", "communeInsee")
    assert "Clermont-Ferrand" in warning["message"]
    assert await count(db, pole, Family) == 2
    moved = await run(client, pole, MOVE, id=inside["family"]["id"], commune="63113")
    assert [w["code"] for w in moved["warnings"]] == ["OUTSIDE_TERRITORY"]


async def test_a_commune_of_a_service_area_outside_the_departement_is_no_warning(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    from core.domain.areas.service import upsert_area

    async with db.session(two_poles.a.id) as session:
        await upsert_area(session, name="Frontière", insee_codes=["80021"])  # Amiens (80)
        await session.commit()
    done = await run(client, two_poles.a, FAMILY, commune="80021")
    assert done["errors"] == [] and done["warnings"] == []


async def test_an_amount_in_a_family_s_free_first_year_is_refused_naming_amount_cents(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    async with db.session(pole.id) as session:
        family = Family(
            name="Famille Fictive", search_name="famille fictive", commune_insee="62119"
        )
        session.add(family)
        await session.commit()
        family_id = str(family.id)
    adhesion = {"year": 2025, "joinedOn": "2025-02-01", "familyId": family_id}
    refused = await run(client, pole, ADHERE, input={**adhesion, "amountCents": 500})
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("VALIDATION", "amountCents")]
    assert "gratuite" in refused["errors"][0]["message"]
    assert await count(db, pole, Adhesion) == 0
    # Zero says the same thing as the rule: accepted, as is no amount at all.
    free = await run(client, pole, ADHERE, input={**adhesion, "amountCents": 0})
    assert free["errors"] == [] and free["adhesion"] == {"amountCents": 0, "firstYearFree": True}
