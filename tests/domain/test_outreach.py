"""Awareness sessions and events through the real API: recording a session with its
speakers and named participants, validation naming the field with nothing written, the
report tables (cells, row and column totals, grand total), filters, corrections,
isolation between poles, audited reads of participants, statement counts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import event, func, select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.outreach.models import (
    AwarenessSession,
    OutreachEvent,
    SessionParticipant,
    SessionSpeaker,
)
from core.domain.structures.models import Structure
from core.tenancy.database import Database
from core.testing.accounts import ensure_user
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

SESSION_FIELDS = """id kind { value label } audience { label } commune { inseeCode name }
  heldOn halfDays durationLabel participantsCount materials title
  speakers { displayName } hostStructure { name }
  participants { name structure { name } }"""
RECORD = f"""mutation($input: AwarenessSessionInput!) {{ recordAwarenessSession(input: $input) {{
  awarenessSession {{ {SESSION_FIELDS} }} errors {{ code field }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: AwarenessSessionInput!) {{
  updateAwarenessSession(id: $id, input: $input) {{
  awarenessSession {{ {SESSION_FIELDS} }} errors {{ code field }} }} }}"""
EVENT = """mutation($input: OutreachEventInput!) { recordOutreachEvent(input: $input) {
  outreachEvent { id kind { label } commune { name } heldOn peopleReached title }
  errors { code field } } }"""
TABLE = """query($year: Int, $start: Date, $end: Date) {
  awarenessSessionTable(year: $year, start: $start, end: $end) {
    start end columns { halfDays label }
    rows { commune { inseeCode } audience { value } cells { sessions participants }
      total { sessions participants } }
    columnTotals { sessions participants } total { sessions participants }
    byKind { kind { value } sessions participants } } }"""
EVENT_TABLE = """query($year: Int) { outreachEventTable(year: $year) {
  columns { value } rows { commune { inseeCode } cells { events peopleReached }
    total { events peopleReached } }
  columnTotals { events peopleReached } total { events peopleReached } } }"""


def actor(*roles: str, name: str = "Animatrice de test") -> Actor:
    return Actor(
        subject=f"test:outreach-{uuid.uuid4().hex[:8]}",
        display_name=name,
        roles=frozenset(roles),
    )


async def member_id(client: GraphQLClient, pole: Any, who: Actor) -> str:
    """Sign ``who`` in to ``pole`` (an active member from then on) and give the user id."""
    await client.auth_headers(pole, who)
    return str((await ensure_user(client.app.state.auth, who)).id)


async def creche(db: Database, pole: Any, commune: str = "62119") -> str:
    async with db.session(pole.id) as session:
        row = Structure(
            name="Crèche Les Lutins", search_name="creche les lutins", kind="eaje",
            commune_insee=commune,
        )  # fmt: skip
        session.add(row)
        await session.commit()
        return str(row.id)


def session_input(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "territorial",
        "audience": "early_childhood",
        "communeInsee": "62119",
        "heldOn": "2026-03-10",
        "halfDays": 1,
        "participantsCount": 12,
        "materials": ["Diaporama du pôle", " Malle  sensorielle "],
        **changes,
    }


async def test_a_session_with_speakers_and_named_participants(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator", name="Coordinatrice de test")
    speaker = await member_id(client, pole, coordinator)
    structure = await creche(db, pole)
    recorded = await client.execute(
        RECORD,
        {
            "input": session_input(
                kind="member_on_site",
                halfDays=2,
                participantsCount=None,
                speakerIds=[speaker],
                hostStructureId=structure,
                participants=[
                    {"name": "Amandine  B. (fictif)", "structureId": structure},
                    {"name": "Hugo T. (fictif)"},
                ],
                title="Accueillir un enfant avec des troubles sensoriels",
            )
        },
        tenant=pole,
        actor=coordinator,
    )
    payload = recorded["data"]["recordAwarenessSession"]
    assert payload["errors"] == []
    row = payload["awarenessSession"]
    assert row["kind"] == {"value": "member_on_site", "label": "Sur site pour un adhérent"}
    assert row["audience"] == {"label": "Petite enfance"}
    assert row["commune"] == {"inseeCode": "62119", "name": "Béthune"}
    assert (row["halfDays"], row["durationLabel"]) == (2, "1 journée")
    # No count given: derived from the names listed.
    assert row["participantsCount"] == 2
    assert row["participants"] == [
        {"name": "Amandine B. (fictif)", "structure": {"name": "Crèche Les Lutins"}},
        {"name": "Hugo T. (fictif)", "structure": None},
    ]
    assert row["speakers"] == [{"displayName": "Coordinatrice de test"}]
    assert row["hostStructure"] == {"name": "Crèche Les Lutins"}
    assert row["materials"] == ["Diaporama du pôle", "Malle sensorielle"]

    event_result = await client.execute(
        EVENT,
        {
            "input": {
                "kind": "forum",
                "communeInsee": "62498",
                "heldOn": "2026-04-02",
                "peopleReached": 140,
                "title": "Forum de la semaine du handicap",
            }
        },
        tenant=pole,
        actor=coordinator,
    )
    created = event_result["data"]["recordOutreachEvent"]["outreachEvent"]
    assert created["kind"] == {"label": "Forum"} and created["peopleReached"] == 140
    assert created["commune"]["name"] == "Lens"

    async with db.session(pole.id) as session:
        writes = {
            e.action: e.fields
            for e in (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.action.like("outreach_%"))
                )
            ).scalars()
        }
    assert "participants" in writes["outreach_sessions.record"]
    assert set(writes["outreach_events.record"]) == {
        "kind",
        "commune",
        "heldOn",
        "peopleReached",
        "title",
        "notes",
    }


async def test_bad_input_is_named_and_nothing_is_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    structure = await creche(db, pole)
    await member_id(client, pole, staff)
    stranger = str(uuid.uuid4())
    two_names = [{"name": "A. (fictif)"}, {"name": "B. (fictif)"}]
    cases = [
        ({"kind": "webinar"}, "kind"),
        ({"audience": "seniors"}, "audience"),
        ({"communeInsee": "99999"}, "communeInsee"),
        ({"heldOn": "1999-12-31"}, "heldOn"),
        ({"halfDays": 0}, "halfDays"),
        ({"halfDays": -2}, "halfDays"),
        ({"halfDays": 21}, "halfDays"),
        ({"participantsCount": -1}, "participantsCount"),
        ({"participantsCount": 1, "participants": two_names}, "participantsCount"),
        ({"participants": [{"name": "  "}]}, "participants.0.name"),
        ({"participants": [{"name": "A.", "structureId": stranger}]}, "participants.0.structureId"),
        ({"hostStructureId": stranger}, "hostStructureId"),
        ({"speakerIds": [stranger]}, "speakerIds.0"),
        ({"materials": ["ok", " "]}, "materials.1"),
    ]
    for changes, field in cases:
        result = await client.execute(
            RECORD, {"input": session_input(**changes)}, tenant=pole, actor=staff
        )
        errors = result["data"]["recordAwarenessSession"]["errors"]
        assert [e["field"] for e in errors] == [field], (changes, errors)
    # The last check of a session comes after every other one passed: still nothing kept.
    late = await client.execute(
        RECORD,
        {"input": session_input(hostStructureId=structure, speakerIds=[stranger])},
        tenant=pole,
        actor=staff,
    )
    assert late["data"]["recordAwarenessSession"]["errors"] == [
        {"code": "VALIDATION", "field": "speakerIds.0"}
    ]
    bad_events = [
        ({"kind": "concert"}, "kind"),
        ({"communeInsee": "00000"}, "communeInsee"),
        ({"peopleReached": -3}, "peopleReached"),
        ({"title": "  "}, "title"),
        ({"heldOn": "2099-01-01"}, "heldOn"),
    ]
    for changes, field in bad_events:
        base = {"kind": "stand", "communeInsee": "62119", "heldOn": "2026-05-01", "title": "x"}
        result = await client.execute(
            EVENT, {"input": {**base, **changes}}, tenant=pole, actor=staff
        )
        assert result["data"]["recordOutreachEvent"]["errors"] == [
            {"code": "VALIDATION", "field": field}
        ]
    async with db.session(pole.id) as session:
        for model in (AwarenessSession, SessionSpeaker, SessionParticipant, OutreachEvent):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model
        audits = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("outreach_%"))
        )
        assert audits == 0


async def test_the_session_table_adds_up_as_the_report_prints_it(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    recorded = [
        # Béthune, early childhood: two ½ days (10 + 8) and one day (15).
        session_input(participantsCount=10, heldOn="2026-01-15"),
        session_input(participantsCount=8, heldOn="2026-06-02", kind="childminders_evening"),
        session_input(participantsCount=15, halfDays=2, heldOn="2026-09-20"),
        # Béthune, youth: one 2-day course (20).
        session_input(participantsCount=20, halfDays=4, audience="youth", kind="training_course"),
        # Lens, mixed: one 1½ day (6) — a duration outside the printed three.
        session_input(participantsCount=6, halfDays=3, audience="mixed", communeInsee="62498"),
        # Another year: left out of 2026.
        session_input(participantsCount=99, heldOn="2025-12-31"),
    ]
    for item in recorded:
        result = await client.execute(RECORD, {"input": item}, tenant=pole, actor=staff)
        assert result["data"]["recordAwarenessSession"]["errors"] == []

    table = (await client.execute(TABLE, {"year": 2026}, tenant=pole, actor=staff))["data"][
        "awarenessSessionTable"
    ]
    assert (table["start"], table["end"]) == ("2026-01-01", "2027-01-01")
    assert table["columns"] == [
        {"halfDays": 1, "label": "½ journée"},
        {"halfDays": 2, "label": "1 journée"},
        {"halfDays": 3, "label": "1 journée ½"},
        {"halfDays": 4, "label": "2 journées"},
    ]

    def cells(*pairs: tuple[int, int]) -> list[dict[str, int]]:
        return [{"sessions": s, "participants": p} for s, p in pairs]

    assert table["rows"] == [
        {
            "commune": {"inseeCode": "62119"},
            "audience": {"value": "early_childhood"},
            "cells": cells((2, 18), (1, 15), (0, 0), (0, 0)),
            "total": {"sessions": 3, "participants": 33},
        },
        {
            "commune": {"inseeCode": "62119"},
            "audience": {"value": "youth"},
            "cells": cells((0, 0), (0, 0), (0, 0), (1, 20)),
            "total": {"sessions": 1, "participants": 20},
        },
        {
            "commune": {"inseeCode": "62498"},
            "audience": {"value": "mixed"},
            "cells": cells((0, 0), (0, 0), (1, 6), (0, 0)),
            "total": {"sessions": 1, "participants": 6},
        },
    ]
    assert table["columnTotals"] == cells((2, 18), (1, 15), (1, 6), (1, 20))
    assert table["total"] == {"sessions": 5, "participants": 59}
    assert table["byKind"] == [
        {"kind": {"value": "territorial"}, "sessions": 3, "participants": 31},
        {"kind": {"value": "childminders_evening"}, "sessions": 1, "participants": 8},
        {"kind": {"value": "training_course"}, "sessions": 1, "participants": 20},
    ]
    # A period instead of a year: the first half of 2026 leaves out September's day.
    half = await client.execute(
        TABLE, {"start": "2026-01-01", "end": "2026-07-01"}, tenant=pole, actor=staff
    )
    assert half["data"]["awarenessSessionTable"]["total"] == {"sessions": 4, "participants": 44}
    both = await client.execute(
        TABLE, {"year": 2026, "start": "2026-01-01"}, tenant=pole, actor=staff
    )
    assert error_codes(both) == ["VALIDATION"]

    for kind, commune, people in (
        ("forum", "62119", 120),
        ("stand", "62119", 40),
        ("forum", "62498", 60),
        ("partner_presentation", "62498", 12),
    ):
        result = await client.execute(
            EVENT,
            {
                "input": {
                    "kind": kind,
                    "communeInsee": commune,
                    "heldOn": "2026-05-05",
                    "peopleReached": people,
                    "title": f"{kind} {commune}",
                }
            },
            tenant=pole,
            actor=staff,
        )
        assert result["data"]["recordOutreachEvent"]["errors"] == []
    events = (await client.execute(EVENT_TABLE, {"year": 2026}, tenant=pole, actor=staff))["data"][
        "outreachEventTable"
    ]
    assert [c["value"] for c in events["columns"]] == ["forum", "stand", "partner_presentation"]
    assert events["rows"] == [
        {
            "commune": {"inseeCode": "62119"},
            "cells": [
                {"events": 1, "peopleReached": 120},
                {"events": 1, "peopleReached": 40},
                {"events": 0, "peopleReached": 0},
            ],
            "total": {"events": 2, "peopleReached": 160},
        },
        {
            "commune": {"inseeCode": "62498"},
            "cells": [
                {"events": 1, "peopleReached": 60},
                {"events": 0, "peopleReached": 0},
                {"events": 1, "peopleReached": 12},
            ],
            "total": {"events": 2, "peopleReached": 72},
        },
    ]
    assert events["total"] == {"events": 4, "peopleReached": 232}
    assert events["columnTotals"][0] == {"events": 2, "peopleReached": 180}


async def test_filters_corrections_and_deletion(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    speaker = await member_id(client, pole, coordinator)
    ids = []
    for changes in (
        {"speakerIds": [speaker]},
        {"kind": "children", "audience": "youth", "heldOn": "2026-02-01"},
        {"communeInsee": "62041", "heldOn": "2025-06-01"},
    ):
        result = await client.execute(
            RECORD, {"input": session_input(**changes)}, tenant=pole, actor=coordinator
        )
        ids.append(result["data"]["recordAwarenessSession"]["awarenessSession"]["id"])
    epci = (await client.execute('{ commune(inseeCode: "62119") { epci { siren } } }'))["data"][
        "commune"
    ]["epci"]["siren"]
    query = """query($start: Date, $end: Date, $k: [String!], $a: [String!], $c: String,
      $e: String, $s: ID) { awarenessSessions(start: $start, end: $end, kinds: $k,
      audiences: $a, communeInsee: $c, epciSiren: $e, speakerUserId: $s) {
        totalCount edges { node { id } } } }"""

    async def total(**variables: Any) -> int:
        result = await client.execute(query, variables, tenant=pole, actor=coordinator)
        return result["data"]["awarenessSessions"]["totalCount"]

    assert await total() == 3
    assert await total(start="2026-01-01", end="2027-01-01") == 2
    assert await total(k=["children"]) == 1 and await total(a=["youth"]) == 1
    assert await total(c="62041") == 1 and await total(e=epci) == 2
    assert await total(s=speaker) == 1 and await total(s=str(uuid.uuid4())) == 0
    unknown = await client.execute(query, {"k": ["nope"]}, tenant=pole, actor=coordinator)
    assert error_codes(unknown) == ["VALIDATION"]

    for kind, commune, day in (
        ("forum", "62119", "2026-04-01"),
        ("stand", "62041", "2026-04-02"),
        ("stand", "62119", "2025-04-03"),
    ):
        await client.execute(
            EVENT,
            {"input": {"kind": kind, "communeInsee": commune, "heldOn": day, "title": "É"}},
            tenant=pole,
            actor=coordinator,
        )
    events = """query($start: Date, $end: Date, $k: [String!], $c: String, $e: String) {
      outreachEvents(start: $start, end: $end, kinds: $k, communeInsee: $c, epciSiren: $e) {
        totalCount edges { node { heldOn } } } }"""

    async def events_total(**variables: Any) -> int:
        result = await client.execute(events, variables, tenant=pole, actor=coordinator)
        return result["data"]["outreachEvents"]["totalCount"]

    assert await events_total() == 3 and await events_total(k=["stand"]) == 2
    assert await events_total(start="2026-01-01", end="2027-01-01") == 2
    assert await events_total(c="62041") == 1 and await events_total(e=epci) == 2
    newest = await client.execute(events, {}, tenant=pole, actor=coordinator)
    assert [e["node"]["heldOn"] for e in newest["data"]["outreachEvents"]["edges"]] == [
        "2026-04-02",
        "2026-04-01",
        "2025-04-03",
    ]

    corrected = await client.execute(
        UPDATE,
        {
            "id": ids[0],
            "input": session_input(
                participantsCount=3, participants=[{"name": "Chloé D. (fictif)"}], halfDays=4
            ),
        },
        tenant=pole,
        actor=coordinator,
    )
    row = corrected["data"]["updateAwarenessSession"]["awarenessSession"]
    assert (row["halfDays"], row["participantsCount"], row["speakers"]) == (4, 3, [])
    assert [p["name"] for p in row["participants"]] == ["Chloé D. (fictif)"]
    refused = await client.execute(
        UPDATE,
        {"id": ids[0], "input": session_input(halfDays=0)},
        tenant=pole,
        actor=coordinator,
    )
    assert refused["data"]["updateAwarenessSession"]["errors"] == [
        {"code": "VALIDATION", "field": "halfDays"}
    ]
    removed = await client.execute(
        f'mutation {{ deleteAwarenessSession(id: "{ids[0]}") {{ ok errors {{ code }} }} }}',
        tenant=pole,
        actor=coordinator,
    )
    assert removed["data"]["deleteAwarenessSession"] == {"ok": True, "errors": []}
    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(AwarenessSession)) == 2
        assert await session.scalar(select(func.count()).select_from(SessionParticipant)) == 0
    again = await client.execute(
        f'mutation {{ deleteAwarenessSession(id: "{ids[0]}") {{ ok errors {{ code field }} }} }}',
        tenant=pole,
        actor=coordinator,
    )
    assert again["data"]["deleteAwarenessSession"]["errors"] == [
        {"code": "NOT_FOUND", "field": "id"}
    ]


async def test_isolation_roles_and_audited_reads_of_participants(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    recorded = await client.execute(
        RECORD,
        {"input": session_input(participants=[{"name": "Djamila R. (fictif)"}])},
        tenant=pole,
        actor=coordinator,
    )
    session_id = recorded["data"]["recordAwarenessSession"]["awarenessSession"]["id"]
    await client.execute(
        EVENT,
        {"input": {"kind": "stand", "communeInsee": "62119", "heldOn": "2026-05-01", "title": "S"}},
        tenant=pole,
        actor=coordinator,
    )
    lists = """{ awarenessSessions { totalCount edges { node { participants { name } } } }
      outreachEvents { totalCount } }"""
    mine = await client.execute(lists, tenant=pole, actor=coordinator)
    assert mine["data"]["awarenessSessions"]["totalCount"] == 1
    assert mine["data"]["outreachEvents"]["totalCount"] == 1

    own = await client.execute(
        f'{{ node(id: "{session_id}") {{ ... on AwarenessSession {{ participantsCount }} }} }}',
        tenant=pole,
        actor=coordinator,
    )
    assert own["data"]["node"] == {"participantsCount": 12}
    other = actor("coordinator")
    theirs = await client.execute(lists, tenant=two_poles.b, actor=other)
    assert theirs["data"]["awarenessSessions"]["totalCount"] == 0
    assert theirs["data"]["outreachEvents"]["totalCount"] == 0
    table = await client.execute(TABLE, {"year": 2026}, tenant=two_poles.b, actor=other)
    assert table["data"]["awarenessSessionTable"]["rows"] == []
    assert table["data"]["awarenessSessionTable"]["total"] == {"sessions": 0, "participants": 0}
    node = await client.execute(
        f'{{ node(id: "{session_id}") {{ id }} }}', tenant=two_poles.b, actor=other
    )
    assert node["data"]["node"] is None
    edit = await client.execute(
        UPDATE, {"id": session_id, "input": session_input()}, tenant=two_poles.b, actor=other
    )
    assert edit["data"]["updateAwarenessSession"]["errors"] == [
        {"code": "NOT_FOUND", "field": "id"}
    ]
    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        refused = await client.execute(lists, tenant=pole, actor=actor(role))
        assert set(error_codes(refused)) == {"FORBIDDEN"}, role
        write = await client.execute(
            RECORD, {"input": session_input()}, tenant=pole, actor=actor(role)
        )
        assert error_codes(write) == ["FORBIDDEN"], role

    async with db.session(pole.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.action == "read", AuditEvent.object_type == "OutreachParticipant"
                    )
                )
            )
            .scalars()
            .all()
        )
    # The mutation's answer and the pole's own list read the name; the other pole nothing.
    assert [tuple(r.fields) for r in reads] == [("name",), ("name",)]
    assert len({r.object_id for r in reads}) == 1


async def test_a_page_of_sessions_costs_the_same_for_5_and_25(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    speaker = uuid.UUID(await member_id(client, pole, staff))
    structure = uuid.UUID(await creche(db, pole))

    async def fill(count: int) -> None:
        async with db.session(pole.id) as session:
            have = await session.scalar(select(func.count()).select_from(AwarenessSession)) or 0
            for i in range(have, count):
                row = AwarenessSession(
                    kind="member_on_site",
                    audience="early_childhood",
                    commune_insee="62119" if i % 2 else "62498",
                    held_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                    half_days=1 + i % 4,
                    participants_count=3,
                    host_structure_id=structure,
                    materials=["Pictogrammes"],
                )
                session.add(row)
                await session.flush()
                session.add(SessionSpeaker(session_id=row.id, user_id=speaker))
                for position in range(2):
                    session.add(
                        SessionParticipant(
                            session_id=row.id,
                            position=position,
                            name=f"P{i}-{position} (fictif)",
                            structure_id=structure,
                        )
                    )
            await session.commit()

    query = """{ awarenessSessions(first: 100) { edges { node { kind { label }
      commune { name epci { name } } speakers { displayName } hostStructure { name }
      participants { name structure { name commune { name } } } } } }
      awarenessSessionTable(year: 2026) { rows { commune { name } total { sessions } } } }"""
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
            assert len(result["data"]["awarenessSessions"]["edges"]) == size
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured


async def test_the_printable_tables_show_the_pole_s_totals_only_to_its_members(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    for changes in (
        {"participantsCount": 10, "participants": [{"name": "Élodie P. (fictif)"}]},
        {"participantsCount": 14, "halfDays": 4, "audience": "youth"},
    ):
        result = await client.execute(
            RECORD, {"input": session_input(**changes)}, tenant=pole, actor=staff
        )
        assert result["data"]["recordAwarenessSession"]["errors"] == []
    await client.execute(
        EVENT,
        {
            "input": {
                "kind": "stand",
                "communeInsee": "62498",
                "heldOn": "2026-05-01",
                "peopleReached": 75,
                "title": "Stand",
            }
        },
        tenant=pole,
        actor=staff,
    )
    headers = await client.auth_headers(pole, staff)
    html = await client.http.get("/reports/outreach.html?year=2026", headers=headers)
    assert html.status_code == 200 and html.headers["cache-control"] == "no-store"
    # The cells as they read (figures carry a class that right-aligns them).
    page = html.text.replace('<td class="n">', "<td>")
    assert "Année 2026" in page and "Sensibilisations et formations" in page
    # Béthune, early childhood: one ½ day of 10; youth: one 2-day session of 14.
    assert "<td>Béthune</td><td>Petite enfance</td><td>1 (10)</td>" in page
    assert "<td>Total</td><td></td><td>1 (10)</td><td>—</td><td>1 (14)</td><td>2 (24)</td>" in page
    assert "<td>Lens</td><td>—</td><td>1 (75)</td><td>—</td><td>1 (75)</td>" in page
    assert "Élodie" not in page  # aggregates only
    pdf = await client.http.get(
        "/reports/outreach.pdf?start=2026-01-01&end=2026-07-01", headers=headers
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    bad = await client.http.get(
        "/reports/outreach.html?year=2026&start=2026-01-01", headers=headers
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "year"
    assert (await client.http.get("/reports/outreach.html?year=2026")).status_code == 401
    family = await client.auth_headers(pole, actor("family"))
    refused = await client.http.get("/reports/outreach.html?year=2026", headers=family)
    assert refused.status_code == 403
    other = await client.auth_headers(two_poles.b, actor("coordinator"))
    theirs = await client.http.get("/reports/outreach.html?year=2026", headers=other)
    assert theirs.status_code == 200 and "Béthune" not in theirs.text


async def test_a_session_by_video_has_no_commune_and_its_own_row(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    for changes in (
        {"participantsCount": 10},
        {"participantsCount": 6, "communeInsee": "", "remote": True},
    ):
        result = await client.execute(
            RECORD, {"input": session_input(**changes)}, tenant=pole, actor=staff
        )
        assert result["data"]["recordAwarenessSession"]["errors"] == [], result
    listed = await client.execute(
        "{ awarenessSessions(first: 5) { edges { node { commune { name } remote } } } }",
        tenant=pole,
        actor=staff,
    )
    nodes = [e["node"] for e in listed["data"]["awarenessSessions"]["edges"]]
    assert sorted(nodes, key=lambda n: n["remote"]) == [
        {"commune": {"name": "Béthune"}, "remote": False},
        {"commune": None, "remote": True},
    ]
    rows = (
        await client.execute(
            "{ awarenessSessionTable(year: 2026) { rows { commune { name } place "
            "total { sessions participants } } } }",
            tenant=pole,
            actor=staff,
        )
    )["data"]["awarenessSessionTable"]["rows"]
    # The sessions by video last, under their own name.
    assert rows == [
        {
            "commune": {"name": "Béthune"},
            "place": "Béthune",
            "total": {"sessions": 1, "participants": 10},
        },
        {
            "commune": None,
            "place": "À distance (visio)",
            "total": {"sessions": 1, "participants": 6},
        },
    ]
    headers = await client.auth_headers(pole, staff)
    page = (await client.http.get("/reports/outreach.html?year=2026", headers=headers)).text
    assert '<td>À distance (visio)</td><td>Petite enfance</td><td class="n">1 (6)</td>' in page
