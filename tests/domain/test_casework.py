"""Requests, follow-ups and interventions through the real API: the coordinator's day
(a crèche calls, a follow-up opens, an observation with recommendations, closing),
validation, filters, activity per staff, isolation, audited reads, statement counts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import event, func, select
from strawberry import relay

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.casework.models import FollowUp, Intervention
from core.domain.families.models import Child, Family
from core.domain.structures.models import Structure
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

RECORD = """mutation($input: RequestInput!) { recordRequest(input: $input) {
  request { id status { value label } requesterKind { label } subjects { label } }
  errors { code field } } }"""
OPEN = """mutation($child: ID!, $on: Date!, $request: ID, $structures: [ID!]) {
  openFollowUp(
    input: { childId: $child, openedOn: $on, requestId: $request, structureIds: $structures }
  ) {
    followUp { id status { value } child { firstName } structures { name }
      referent { displayName } }
    errors { code field } } }"""
LOG = """mutation($input: InterventionInput!) { logIntervention(input: $input) {
  followUp { interventions { kind { label } recommendations travelKm staff { displayName } } }
  errors { code field } } }"""
CLOSE = """mutation($id: ID!, $on: Date!, $outcome: String!) {
  closeFollowUp(id: $id, input: { closedOn: $on, outcome: $outcome }) {
    followUp { status { value } outcome { label } } errors { code field } } }"""


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:case-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset(roles),
    )


async def setup(db: Database, pole: Any) -> tuple[str, str]:
    """A crèche and a family with one child in the pole: (structure id, child id)."""
    async with db.session(pole.id) as session:
        creche = Structure(
            name="Crèche Les Lutins",
            search_name="creche les lutins",
            kind="eaje",
            commune_insee="62119",
        )
        family = Family(
            name="Famille Fictive", search_name="famille fictive", commune_insee="62119"
        )
        session.add_all([creche, family])
        await session.flush()
        child = Child(
            family_id=family.id,
            first_name="Léo",
            birth_date=dt.date(2023, 5, 2),
            commune_insee="62119",
        )
        session.add(child)
        await session.commit()
        return str(creche.id), str(child.id)


def request_input(structure: str, **changes: Any) -> dict[str, Any]:
    return {
        "receivedOn": "2026-10-05",
        "channel": "phone",
        "requesterKind": "eaje",
        "requesterName": "Directrice de la crèche",
        "subjects": ["professional_question"],
        "description": "(fictif) Questions sur l'accueil de Léo au moment des repas.",
        "structureId": structure,
        **changes,
    }


async def test_the_coordinators_day_through_graphql_alone(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    structure, child = await setup(db, pole)
    recorded = await client.execute(
        RECORD, {"input": request_input(structure)}, tenant=pole, actor=coordinator
    )
    request = recorded["data"]["recordRequest"]["request"]
    assert request["status"] == {"value": "new", "label": "Nouvelle"}
    assert request["requesterKind"]["label"] == "EAJE (crèche)"

    opened = await client.execute(
        OPEN,
        {"child": child, "on": "2026-10-08", "request": request["id"], "structures": [structure]},
        tenant=pole,
        actor=coordinator,
    )
    follow_up = opened["data"]["openFollowUp"]["followUp"]
    assert follow_up["structures"] == [{"name": "Crèche Les Lutins"}]
    again = await client.execute(
        OPEN, {"child": child, "on": "2026-10-09"}, tenant=pole, actor=coordinator
    )
    assert again["data"]["openFollowUp"]["errors"] == [{"code": "CONFLICT", "field": "childId"}]
    status = await client.execute(
        "{ requests { edges { node { status { value } childId } } } }",
        tenant=pole,
        actor=coordinator,
    )
    assert status["data"]["requests"]["edges"][0]["node"] == {
        "status": {"value": "follow_up"},
        "childId": child,
    }

    observation = {
        "followUpId": follow_up["id"],
        "kind": "observation",
        "happenedOn": "2026-10-15",
        "durationMinutes": 120,
        "structureId": structure,
        "travelKm": 34.5,
        "notes": "(fictif) Observation du repas et du temps calme.",
    }
    logged = await client.execute(LOG, {"input": observation}, tenant=pole, actor=coordinator)
    assert logged["data"]["logIntervention"]["errors"] == []
    advice = {
        "followUpId": follow_up["id"],
        "kind": "recommendations",
        "happenedOn": "2026-10-20",
        "recommendations": "(fictif) Assiette à rebord, repas au calme, pictogrammes.",
    }
    done = await client.execute(LOG, {"input": advice}, tenant=pole, actor=coordinator)
    timeline = done["data"]["logIntervention"]["followUp"]["interventions"]
    assert [i["kind"]["label"] for i in timeline] == ["Observation sur site", "Préconisations"]
    assert timeline[0]["travelKm"] == 34.5
    assert timeline[0]["staff"]["displayName"] == "Coordinatrice de test"

    closed = await client.execute(
        CLOSE,
        {"id": follow_up["id"], "on": "2026-10-30", "outcome": "reception_adapted"},
        tenant=pole,
        actor=coordinator,
    )
    assert closed["data"]["closeFollowUp"]["followUp"] == {
        "status": {"value": "closed"},
        "outcome": {"label": "Accueil adapté dans la structure"},
    }
    twice = await client.execute(
        CLOSE,
        {"id": follow_up["id"], "on": "2026-10-30", "outcome": "other"},
        tenant=pole,
        actor=coordinator,
    )
    assert twice["data"]["closeFollowUp"]["errors"] == [{"code": "CONFLICT", "field": "id"}]
    late = await client.execute(
        LOG, {"input": {**advice, "happenedOn": "2026-10-31"}}, tenant=pole, actor=coordinator
    )
    assert late["data"]["logIntervention"]["errors"] == [
        {"code": "CONFLICT", "field": "followUpId"}
    ]

    activity = await client.execute(
        '{ activityByStaff(start: "2026-10-01", end: "2026-11-01") '
        "{ staff { displayName } interventions minutes travelKm followUps } }",
        tenant=pole,
        actor=coordinator,
    )
    assert activity["data"]["activityByStaff"] == [
        {
            "staff": {"displayName": "Coordinatrice de test"},
            "interventions": 2,
            "minutes": 120,
            "travelKm": 34.5,
            "followUps": 1,
        }
    ]


async def test_bad_input_is_named_and_nothing_is_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    structure, child = await setup(db, pole)
    cases = [
        ({"receivedOn": "2099-01-01"}, "receivedOn"),
        ({"channel": "pigeon"}, "channel"),
        ({"subjects": []}, "subjects"),
        ({"subjects": ["place_search", "nope"]}, "subjects.1"),
        ({"requesterName": " "}, "requesterName"),
        ({"structureId": str(uuid.uuid4())}, "structureId"),
        ({"assignedTo": str(uuid.uuid4())}, "assignedTo"),
    ]
    for changes, field in cases:
        result = await client.execute(
            RECORD, {"input": request_input(structure, **changes)}, tenant=pole, actor=staff
        )
        assert [e["field"] for e in result["data"]["recordRequest"]["errors"]] == [field], changes
    opened = await client.execute(
        OPEN, {"child": child, "on": "2026-10-01"}, tenant=pole, actor=staff
    )
    follow_up = opened["data"]["openFollowUp"]["followUp"]["id"]
    bad_logs = [
        ({"kind": "telepathy"}, "kind"),
        ({"happenedOn": "2026-09-01"}, "happenedOn"),
        ({"durationMinutes": -5}, "durationMinutes"),
        ({"travelKm": -1.0}, "travelKm"),
        ({"kind": "recommendations"}, "recommendations"),
    ]
    for changes, field in bad_logs:
        result = await client.execute(
            LOG,
            {
                "input": {
                    "followUpId": follow_up,
                    "kind": "observation",
                    "happenedOn": "2026-10-02",
                    **changes,
                }
            },
            tenant=pole,
            actor=staff,
        )
        assert [e["field"] for e in result["data"]["logIntervention"]["errors"]] == [field]
    early = await client.execute(
        CLOSE, {"id": follow_up, "on": "2026-09-01", "outcome": "other"}, tenant=pole, actor=staff
    )
    assert early["data"]["closeFollowUp"]["errors"] == [{"code": "VALIDATION", "field": "closedOn"}]
    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(Intervention)) == 0
        assert (await session.execute(select(FollowUp.status))).scalar() == "open"


async def test_filters_isolation_and_audited_reads(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    structure, child = await setup(db, pole)
    opened = await client.execute(
        OPEN,
        {"child": child, "on": "2026-10-01", "structures": [structure]},
        tenant=pole,
        actor=coordinator,
    )
    follow_up = opened["data"]["openFollowUp"]["followUp"]["id"]
    await client.execute(
        LOG,
        {
            "input": {
                "followUpId": follow_up,
                "kind": "home_visit",
                "happenedOn": "2026-10-03",
                "notes": "(fictif) visite",
            }
        },
        tenant=pole,
        actor=coordinator,
    )
    query = """query($s: [String!], $st: ID, $c: String, $start: Date, $end: Date) {
      followUps(statuses: $s, structureId: $st, communeInsee: $c, start: $start, end: $end) {
        totalCount edges { node { interventions { notes } } } } }"""

    async def total(**variables: Any) -> int:
        result = await client.execute(query, variables, tenant=pole, actor=coordinator)
        return result["data"]["followUps"]["totalCount"]

    assert await total(s=["open"]) == 1 and await total(s=["closed"]) == 0
    assert await total(st=structure) == 1 and await total(st=str(uuid.uuid4())) == 0
    assert await total(c="62119") == 1 and await total(c="62041") == 0
    assert await total(start="2026-01-01", end="2026-09-01") == 0
    assert await total(start="2026-09-01", end="2026-12-01") == 1

    other = actor("coordinator")
    assert (await client.execute(query, tenant=two_poles.b, actor=other))["data"]["followUps"][
        "totalCount"
    ] == 0
    node = await client.execute(
        f'{{ node(id: "{follow_up}") {{ id }} }}', tenant=two_poles.b, actor=other
    )
    assert node["data"]["node"] is None
    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        refused = await client.execute(query, tenant=pole, actor=actor(role))
        assert error_codes(refused) == ["FORBIDDEN"], role

    async with db.session(pole.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.action == "read", AuditEvent.object_type == "Intervention"
                    )
                )
            )
            .scalars()
            .all()
        )
    # The mutation's answer read the recommendations; each list read the notes.
    assert {tuple(r.fields) for r in reads} == {("notes",), ("recommendations",)}


async def test_follow_ups_found_by_name_and_by_family(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """followUps(search:) finds the child by first name or the family by name, accents
    and case aside; familyId: the family's children's."""
    pole, coordinator = two_poles.a, actor("coordinator")
    _structure, child = await setup(db, pole)
    await client.execute(OPEN, {"child": child, "on": "2026-10-01"}, tenant=pole, actor=coordinator)
    async with db.session(pole.id) as session:
        family = (
            await session.execute(select(Child.family_id).where(Child.id == uuid.UUID(child)))
        ).scalar_one()
    query = """query($q: String, $f: ID) { followUps(search: $q, familyId: $f) {
      totalCount edges { node { child { firstName } } } } }"""

    async def total(**variables: Any) -> int:
        result = await client.execute(query, variables, tenant=pole, actor=coordinator)
        assert "errors" not in result, result
        return result["data"]["followUps"]["totalCount"]

    for found in ("Léo", "léo", "LÉO", "leo", "LEO", "Leo", "fictive", "FICTIVE leo", "famille"):
        assert await total(q=found) == 1, found
    for missed in ("Lea", "Léa", "fictive zoé", "%", "_éo", "e_o"):
        assert await total(q=missed) == 0, missed
    assert await total(f=str(family)) == 1
    assert await total(f=relay.to_base64("Family", str(family))) == 1
    assert await total(f=str(uuid.uuid4())) == 0
    refused = await client.execute(query, {"f": "pas-un-id"}, tenant=pole, actor=coordinator)
    assert error_codes(refused) == ["NOT_FOUND"]
    # Another pole finds nothing, by name or by the family's id.
    other = actor("coordinator")
    for variables in ({"q": "léo"}, {"f": str(family)}):
        answer = await client.execute(query, variables, tenant=two_poles.b, actor=other)
        assert answer["data"]["followUps"]["totalCount"] == 0


async def test_a_page_of_follow_ups_costs_the_same_for_5_and_25(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    await client.auth_headers(pole, staff)
    structure, _ = await setup(db, pole)

    async def fill(count: int) -> None:
        async with db.session(pole.id) as session:
            have = await session.scalar(select(func.count()).select_from(FollowUp)) or 0
            family = (await session.execute(select(Family))).scalars().first()
            assert family is not None
            for i in range(have, count):
                c = Child(
                    family_id=family.id,
                    first_name=f"E{i}",
                    birth_date=dt.date(2022, 1, 1),
                    commune_insee="62119",
                )
                session.add(c)
                await session.flush()
                f = FollowUp(child_id=c.id, opened_on=dt.date(2026, 1, 1), status="open")
                session.add(f)
                await session.flush()
                session.add(
                    Intervention(
                        follow_up_id=f.id,
                        kind="observation",
                        happened_on=dt.date(2026, 2, 1),
                        structure_id=uuid.UUID(structure),
                    )
                )
            await session.commit()

    query = """{ followUps(first: 100) { edges { node { child { firstName
      structures { structure { name } } } referent { displayName } structures { name }
      interventions { kind { label } structure { name commune { name } } staff { displayName } }
    } } } }"""
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for size in (5, 25):
        await fill(size)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            result = await client.execute(query, tenant=pole, actor=staff)
            assert len(result["data"]["followUps"]["edges"]) == size
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured
