"""Pedagogical kits through the real API: a kit published, reserved by a crèche, taken
out, brought back with a piece missing and checked; bad input named; surprise
requests; reports; isolation; audited reads; statement counts; and the no-overlap rule
held by the database itself (a direct write on both databases, and two simultaneous
reservations, on both)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from core.access.actions import Actor, Caller
from core.api.ids import try_uuid
from core.audit.models import AuditEvent
from core.domain.kits import service
from core.domain.kits.models import Kit, KitComponent, KitLoan, KitLoanCheck, KitTrip
from core.domain.structures.models import Structure
from core.errors import ConflictError
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

KIT_FIELDS = "id name theme { label } status { value label } components { id name quantity }"
CREATE_KIT = f"""mutation($input: KitInput!) {{ createKit(input: $input) {{
  kit {{ {KIT_FIELDS} }} errors {{ code field }} }} }}"""
LOAN_FIELDS = """id status { value label } startsOn endsOn borrowerKind { value label }
  borrowerName member kit { name status { value } } departedOn returnedOn checkedOn
  departureCheck { name expected missing } missingAtReturn { name missing }
  trips { kind { value } km staff { displayName } } overdueDays"""
RESERVE = f"""mutation($input: KitReservationInput!) {{ reserveKit(input: $input) {{
  loan {{ {LOAN_FIELDS} }} errors {{ code field }} }} }}"""
CONFIRM = f"""mutation($id: ID!) {{ confirmKitLoan(id: $id) {{
  loan {{ {LOAN_FIELDS} }} errors {{ code field }} }} }}"""
DEPART = f"""mutation($id: ID!, $on: Date!, $missing: [MissingInput!], $delivery: TripInput) {{
  departKitLoan(
    id: $id, input: {{ departedOn: $on, missing: $missing, delivery: $delivery }}
  ) {{
  loan {{ {LOAN_FIELDS} }} errors {{ code field }} }} }}"""
RETURN = f"""mutation($id: ID!, $on: Date!, $missing: [MissingInput!], $collection: TripInput) {{
  returnKitLoan(
    id: $id, input: {{ returnedOn: $on, missing: $missing, collection: $collection }}
  ) {{
  loan {{ {LOAN_FIELDS} }} errors {{ code field }} }} }}"""
CHECK = f"""mutation($id: ID!, $on: Date!) {{ checkKitLoan(id: $id, input: {{ checkedOn: $on }}) {{
  loan {{ {LOAN_FIELDS} }} errors {{ code field }} }} }}"""
CALENDAR = """query($start: Date!, $end: Date!, $kits: [ID!]) {
  kitAvailability(start: $start, end: $end, kitIds: $kits) { kit { name }
    busy { startsOn endsOn days status { value } } free { startsOn endsOn days } freeDays } }"""


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:kits-{uuid.uuid4().hex[:8]}",
        display_name="Animatrice de test",
        roles=frozenset(roles),
    )


def kit_input(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Malle des émotions",
        "theme": "emotions",
        "series": "",
        "ageMinMonths": 24,
        "ageMaxMonths": 72,
        "description": "(fictif) Livres, roue des émotions, time timer.",
        "photoUrl": "https://photos.maillage.example/malles/emotions.jpg",
        "components": [
            {"name": "Roue des émotions", "quantity": 1},
            {"name": "Livres", "quantity": 5},
            {"name": "Time timer", "quantity": 1},
        ],
        **changes,
    }


async def gql(client: GraphQLClient, query: str, pole: Any, who: Actor, **variables: Any) -> Any:
    result = await client.execute(query, variables, tenant=pole, actor=who)
    assert "errors" not in result, result
    return result["data"]


async def publish(client: GraphQLClient, pole: Any, who: Actor, **changes: Any) -> dict:
    data = await gql(client, CREATE_KIT, pole, who, input=kit_input(**changes))
    assert data["createKit"]["errors"] == []
    return data["createKit"]["kit"]


async def creche(client: GraphQLClient, pole: Any, who: Actor, name: str = "Les Lutins") -> str:
    data = await gql(
        client,
        """mutation($input: StructureInput!) { createStructure(input: $input) {
          structure { id } errors { code field } } }""",
        pole,
        who,
        input={"name": f"Crèche {name}", "kind": "eaje", "communeInsee": "62119"},
    )
    return data["createStructure"]["structure"]["id"]


async def test_a_kit_published_reserved_lent_returned_with_a_piece_missing_and_checked(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    kit = await publish(client, pole, staff)
    assert kit["status"] == {"value": "available", "label": "Disponible"}
    assert kit["theme"]["label"] == "Émotions"
    books = kit["components"][1]
    structure = await creche(client, pole, staff)

    reserved = await gql(
        client,
        RESERVE,
        pole,
        staff,
        input={"kitId": kit["id"], "structureId": structure, "startsOn": "2026-03-02"},
    )
    loan = reserved["reserveKit"]["loan"]
    assert reserved["reserveKit"]["errors"] == []
    # The pole's default loan length (21 days) when no end is given.
    assert (loan["startsOn"], loan["endsOn"]) == ("2026-03-02", "2026-03-23")
    assert loan["status"] == {"value": "requested", "label": "Demandée"}
    assert loan["borrowerKind"] == {"value": "eaje", "label": "EAJE (crèche)"}
    assert loan["borrowerName"] == "Crèche Les Lutins" and loan["member"] is True

    confirmed = await gql(client, CONFIRM, pole, staff, id=loan["id"])
    assert confirmed["confirmKitLoan"]["loan"]["status"]["value"] == "confirmed"
    out = await gql(
        client, DEPART, pole, staff, id=loan["id"], on="2026-03-02", delivery={"km": 23.4}
    )
    lent = out["departKitLoan"]["loan"]
    assert out["departKitLoan"]["errors"] == []
    assert lent["status"]["value"] == "out" and lent["kit"]["status"]["value"] == "out"
    assert [c["missing"] for c in lent["departureCheck"]] == [0, 0, 0]
    assert lent["trips"] == [
        {"kind": {"value": "delivery"}, "km": 23.4, "staff": {"displayName": "Animatrice de test"}}
    ]
    late = await client.execute(
        f'{{ node(id: "{loan["id"]}") {{ ... on KitLoan {{ overdueDays(on: "2026-03-30") }} }} }}',
        tenant=pole,
        actor=staff,
    )
    assert late["data"]["node"]["overdueDays"] == 7

    back = await gql(
        client,
        RETURN,
        pole,
        staff,
        id=loan["id"],
        on="2026-03-24",
        missing=[{"componentId": books["id"], "missing": 1}],
        collection={"km": 23.4},
    )
    returned = back["returnKitLoan"]["loan"]
    assert returned["status"]["value"] == "returned" and returned["overdueDays"] == 0
    assert returned["missingAtReturn"] == [{"name": "Livres", "missing": 1}]
    checked = await gql(client, CHECK, pole, staff, id=loan["id"], on="2026-03-25")
    assert checked["checkKitLoan"]["loan"]["status"] == {"value": "checked", "label": "Vérifiée"}
    assert checked["checkKitLoan"]["loan"]["kit"]["status"]["value"] == "available"

    calendar = await gql(
        client, CALENDAR, pole, staff, start="2026-03-01", end="2026-03-31", kits=[kit["id"]]
    )
    (row,) = calendar["kitAvailability"]
    assert row["busy"] == [
        {
            "startsOn": "2026-03-02",
            "endsOn": "2026-03-23",
            "days": 22,
            "status": {"value": "checked"},
        }
    ]
    assert row["free"] == [
        {"startsOn": "2026-03-01", "endsOn": "2026-03-01", "days": 1},
        {"startsOn": "2026-03-24", "endsOn": "2026-03-31", "days": 8},
    ]
    assert row["freeDays"] == 9

    reports = await gql(
        client,
        """{ kitLoansByKit(start: "2026-01-01", end: "2027-01-01") { kit { name } loans days }
          kitLoansByBorrowerKind(start: "2026-01-01", end: "2027-01-01") {
            kind { label } loans nonMembers }
          kitKilometresByYear { year trips km } }""",
        pole,
        staff,
    )
    assert reports["kitLoansByKit"] == [
        {"kit": {"name": "Malle des émotions"}, "loans": 1, "days": 22}
    ]
    assert reports["kitLoansByBorrowerKind"] == [
        {"kind": {"label": "EAJE (crèche)"}, "loans": 1, "nonMembers": 0}
    ]
    assert reports["kitKilometresByYear"] == [{"year": 2026, "trips": 2, "km": 46.8}]


async def test_bad_input_is_named_and_nothing_is_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("coordinator")
    for changes, field in [
        ({"photoUrl": "javascript:alert(1)"}, "photoUrl"),
        ({"theme": "astrologie"}, "theme"),
        ({"components": []}, "components"),
        ({"components": [{"name": "Livre", "quantity": 0}]}, "components.0.quantity"),
        ({"ageMinMonths": 48, "ageMaxMonths": 12}, "ageMaxMonths"),
        ({"name": "  "}, "name"),
    ]:
        result = await gql(client, CREATE_KIT, pole, staff, input=kit_input(**changes))
        assert [e["field"] for e in result["createKit"]["errors"]] == [field], changes
    kit = await publish(client, pole, staff)
    retired = await publish(client, pole, staff, name="Malle ancienne")
    await gql(
        client,
        'mutation($id: ID!) { setKitStatus(id: $id, status: "retired") { errors { code } } }',
        pole,
        staff,
        id=retired["id"],
    )
    structure = await creche(client, pole, staff)
    first = await gql(
        client,
        RESERVE,
        pole,
        staff,
        input={
            "kitId": kit["id"],
            "structureId": structure,
            "startsOn": "2026-05-04",
            "endsOn": "2026-05-25",
        },
    )
    loan = first["reserveKit"]["loan"]["id"]

    async def refused(input: dict[str, Any]) -> list[dict[str, str]]:
        data = await gql(client, RESERVE, pole, staff, input=input)
        assert data["reserveKit"]["loan"] is None
        return data["reserveKit"]["errors"]

    base = {"kitId": kit["id"], "structureId": structure, "startsOn": "2026-06-01"}
    assert await refused({**base, "startsOn": "2026-05-25"}) == [
        {"code": "CONFLICT", "field": "kitId"}
    ]
    assert await refused({**base, "startsOn": "2026-04-20", "endsOn": "2026-05-04"}) == [
        {"code": "CONFLICT", "field": "kitId"}
    ]
    assert await refused({**base, "kitId": str(uuid.uuid4())}) == [
        {"code": "NOT_FOUND", "field": "kitId"}
    ]
    assert await refused({**base, "kitId": retired["id"]}) == [
        {"code": "CONFLICT", "field": "kitId"}
    ]
    assert await refused({**base, "endsOn": "2026-05-01"}) == [
        {"code": "VALIDATION", "field": "endsOn"}
    ]
    assert await refused({"kitId": kit["id"], "startsOn": "2026-06-01"}) == [
        {"code": "VALIDATION", "field": "borrower"}
    ]

    await gql(client, CONFIRM, pole, staff, id=loan)
    negative = await gql(
        client, DEPART, pole, staff, id=loan, on="2026-05-04", delivery={"km": -3.0}
    )
    assert negative["departKitLoan"]["errors"] == [{"code": "VALIDATION", "field": "delivery.km"}]
    stranger = await gql(
        client,
        DEPART,
        pole,
        staff,
        id=loan,
        on="2026-05-04",
        delivery={"km": 12.0, "staffUserId": str(uuid.uuid4())},
    )
    assert stranger["departKitLoan"]["errors"] == [
        {"code": "VALIDATION", "field": "delivery.staffUserId"}
    ]
    books = kit["components"][1]["id"]
    too_many = await gql(
        client,
        DEPART,
        pole,
        staff,
        id=loan,
        on="2026-05-04",
        missing=[{"componentId": books, "missing": 6}],
    )
    assert too_many["departKitLoan"]["errors"] == [
        {"code": "VALIDATION", "field": "missing.0.missing"}
    ]
    async with db.session(pole.id) as session:
        # The refused departures wrote nothing: no checklist, no trip, still confirmed.
        assert await session.scalar(select(func.count()).select_from(KitLoanCheck)) == 0
        assert await session.scalar(select(func.count()).select_from(KitTrip)) == 0
        assert await session.scalar(select(KitLoan.status)) == "confirmed"
    await gql(client, DEPART, pole, staff, id=loan, on="2026-05-04")
    early = await gql(client, RETURN, pole, staff, id=loan, on="2026-05-03")
    assert early["returnKitLoan"]["errors"] == [{"code": "VALIDATION", "field": "returnedOn"}]
    twice = await gql(client, CONFIRM, pole, staff, id=loan)
    assert twice["confirmKitLoan"]["errors"] == [{"code": "CONFLICT", "field": "id"}]
    busy = await gql(
        client,
        'mutation($id: ID!) { setKitStatus(id: $id, status: "in_repair") '
        "{ errors { code field } } }",
        pole,
        staff,
        id=kit["id"],
    )
    assert busy["setKitStatus"]["errors"] == [{"code": "CONFLICT", "field": "status"}]
    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(KitLoan)) == 1


async def test_a_surprise_request_gets_a_kit_that_obeys_the_no_overlap_rule(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    taken = await publish(client, pole, staff, name="Malle sommeil", theme="sleep")
    free = await publish(client, pole, staff, name="Malle émotions", theme="emotions")
    structure = await creche(client, pole, staff)
    await gql(
        client,
        RESERVE,
        pole,
        staff,
        input={"kitId": taken["id"], "structureId": structure, "startsOn": "2026-09-07"},
    )
    surprise = await gql(
        client,
        RESERVE,
        pole,
        staff,
        input={
            "surprise": True,
            "wishTheme": "emotions",
            "wish": "(fictif) pour les séparations du matin",
            "structureId": structure,
            "startsOn": "2026-09-14",
            "member": False,
        },
    )
    loan = surprise["reserveKit"]["loan"]
    assert loan["kit"] is None and loan["member"] is False
    waiting = await gql(
        client, "{ kitLoans(surpriseUnassigned: true) { totalCount } }", pole, staff
    )
    assert waiting["kitLoans"]["totalCount"] == 1
    unassigned = await gql(client, CONFIRM, pole, staff, id=loan["id"])
    assert unassigned["confirmKitLoan"]["errors"] == [{"code": "CONFLICT", "field": "kitId"}]
    assign = """mutation($id: ID!, $kit: ID!) { assignKit(id: $id, kitId: $kit) {
      loan { kit { name } } errors { code field } } }"""
    clash = await gql(client, assign, pole, staff, id=loan["id"], kit=taken["id"])
    assert clash["assignKit"]["errors"] == [{"code": "CONFLICT", "field": "kitId"}]
    done = await gql(client, assign, pole, staff, id=loan["id"], kit=free["id"])
    assert done["assignKit"]["loan"] == {"kit": {"name": "Malle émotions"}}
    assert (await gql(client, CONFIRM, pole, staff, id=loan["id"]))["confirmKitLoan"][
        "errors"
    ] == []
    cancelled = await gql(
        client,
        "mutation($id: ID!) { cancelKitLoan(id: $id) { loan { status { label } } } }",
        pole,
        staff,
        id=loan["id"],
    )
    assert cancelled["cancelKitLoan"]["loan"]["status"]["label"] == "Annulée"
    # Cancelled: its days are free again.
    again = await gql(
        client,
        RESERVE,
        pole,
        staff,
        input={"kitId": free["id"], "structureId": structure, "startsOn": "2026-09-14"},
    )
    assert again["reserveKit"]["errors"] == []
    by_kind = await gql(
        client,
        '{ kitLoansByBorrowerKind(start: "2026-01-01", end: "2027-01-01") { loans } }',
        pole,
        staff,
    )
    assert by_kind["kitLoansByBorrowerKind"] == []  # nothing has left yet


async def test_other_poles_see_nothing_and_family_borrowers_are_audited(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("coordinator")
    kit = await publish(client, pole, staff)
    family = await gql(
        client,
        'mutation { createFamily(input: { name: "Famille Fictive", communeInsee: "62119" }) '
        "{ family { id } errors { code } } }",
        pole,
        staff,
    )
    family_id = family["createFamily"]["family"]["id"]
    reserved = await gql(
        client,
        RESERVE,
        pole,
        staff,
        input={"kitId": kit["id"], "familyId": family_id, "startsOn": "2026-02-02"},
    )
    loan = reserved["reserveKit"]["loan"]
    assert loan["borrowerKind"]["value"] == "family"

    other = actor("coordinator")
    seen = await gql(
        client,
        """{ kits { totalCount } kitLoans { totalCount }
          kitAvailability(start: "2026-01-01", end: "2026-12-31") { kit { name } }
          kitLoansByKit(start: "2026-01-01", end: "2027-01-01") { loans }
          kitKilometresByYear { km } }""",
        two_poles.b,
        other,
    )
    assert seen == {
        "kits": {"totalCount": 0},
        "kitLoans": {"totalCount": 0},
        "kitAvailability": [],
        "kitLoansByKit": [],
        "kitKilometresByYear": [],
    }
    for node in (kit["id"], loan["id"]):
        found = await gql(client, f'{{ node(id: "{node}") {{ id }} }}', two_poles.b, other)
        assert found["node"] is None
    foreign = await gql(
        client,
        RESERVE,
        two_poles.b,
        other,
        input={"kitId": kit["id"], "familyId": family_id, "startsOn": "2026-06-01"},
    )
    assert foreign["reserveKit"]["errors"][0]["code"] == "NOT_FOUND"
    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        refused = await client.execute(
            "{ kitLoans { totalCount } }", tenant=pole, actor=actor(role)
        )
        assert error_codes(refused) == ["FORBIDDEN"], role

    await gql(client, "{ kitLoans { edges { node { borrowerName } } } }", pole, staff)
    async with db.session(pole.id) as session:
        reads = (
            await session.execute(
                select(AuditEvent.fields).where(
                    AuditEvent.action == "read",
                    AuditEvent.object_type == "KitLoan",
                    AuditEvent.object_id == str(_id(loan["id"])),
                )
            )
        ).scalars()
        assert ["borrowerName"] in [list(f) for f in reads]
        writes = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "kit_loans.reserve")
        )
        assert writes == 1


def _id(value: str) -> uuid.UUID:
    found = try_uuid(value)
    assert found is not None, value
    return found


async def test_the_database_itself_refuses_overlapping_loans(
    db: Database, two_poles: TwoPoles
) -> None:
    """Past the service: a direct write of an overlapping loan fails (the exclusion
    constraint on PostgreSQL, the trigger on SQLite); a cancelled one holds nothing."""
    pole = two_poles.a
    async with db.session(pole.id) as session:
        kit = Kit(name="Malle", search_name="malle", theme="other", status="available")
        structure = Structure(
            name="Crèche", search_name="creche", kind="eaje", commune_insee="62119"
        )
        session.add_all([kit, structure])
        await session.flush()

        def loan(start: str, end: str, status: str = "confirmed") -> KitLoan:
            return KitLoan(
                kit_id=kit.id,
                starts_on=dt.date.fromisoformat(start),
                ends_on=dt.date.fromisoformat(end),
                structure_id=structure.id,
                borrower_kind="eaje",
                status=status,
            )

        session.add(loan("2026-01-05", "2026-01-26"))
        await session.commit()
    for start, end in (("2026-01-26", "2026-02-10"), ("2025-12-20", "2026-01-05")):
        async with db.session(pole.id) as session:
            session.add(loan(start, end))
            with pytest.raises(IntegrityError, match="kit_loans_no_overlap"):
                await session.flush()
            await session.rollback()
    async with db.session(pole.id) as session:
        session.add(loan("2026-01-10", "2026-01-20", status="cancelled"))
        session.add(loan("2026-01-27", "2026-02-10"))
        await session.commit()
        moved = (
            await session.execute(select(KitLoan).where(KitLoan.starts_on == dt.date(2026, 1, 27)))
        ).scalar_one()
        moved.starts_on = dt.date(2026, 1, 20)  # an update is held to the same rule
        with pytest.raises(IntegrityError, match="kit_loans_no_overlap"):
            await session.flush()
        await session.rollback()


async def test_two_simultaneous_reservations_leave_exactly_one(
    client: GraphQLClient, db: Database, two_poles: TwoPoles, monkeypatch: pytest.MonkeyPatch
) -> None:
    pole, staff = two_poles.a, actor("staff")
    kit = await publish(client, pole, staff)
    structure = await creche(client, pole, staff)
    caller = Caller(staff, client.app.state.host.actions)

    # Through the service, with the race forced: the first transaction holds its row
    # uncommitted while the second checks (seeing nothing) and writes; the database
    # makes the second wait (PostgreSQL: the exclusion constraint's index; SQLite: the
    # one writer's lock), then refuses it. The first commits only once the second's
    # check has run: a sleep alone let a loaded machine check after the commit.
    first_written = asyncio.Event()
    second_checked = asyncio.Event()
    check = service._free_or_conflict
    checks = 0

    async def counted_check(*args: Any, **kwargs: Any) -> None:
        nonlocal checks
        await check(*args, **kwargs)
        checks += 1
        if checks == 2:
            second_checked.set()

    monkeypatch.setattr(service, "_free_or_conflict", counted_check)

    async def first() -> str:
        async with db.session(pole.id) as session:
            await service.reserve(
                session,
                caller,
                pole,
                service.ReservationInput(
                    kit_id=_id(kit["id"]),
                    structure_id=_id(structure),
                    starts_on=dt.date(2026, 10, 5),
                ),
            )
            first_written.set()
            await asyncio.wait_for(second_checked.wait(), 30)
            await asyncio.sleep(0.3)  # the second is now writing, held by the database
            await session.commit()
            return "ok"

    async def second() -> str:
        await first_written.wait()
        async with db.session(pole.id) as session:
            try:
                await service.reserve(
                    session,
                    caller,
                    pole,
                    service.ReservationInput(
                        kit_id=_id(kit["id"]),
                        structure_id=_id(structure),
                        starts_on=dt.date(2026, 10, 12),
                    ),
                )
            except ConflictError as exc:
                await session.rollback()
                # The database's refusal, not the service's check: the check saw nothing.
                assert "vient d'être réservée" in exc.message
                return f"{exc.code}:{exc.field}"
            await session.commit()
            return "ok"

    assert await asyncio.gather(first(), second()) == ["ok", "CONFLICT:kitId"]

    # Through the API: two requests at once for overlapping dates of another period.
    answers = await asyncio.gather(
        *(
            client.execute(
                RESERVE,
                {"input": {"kitId": kit["id"], "structureId": structure, "startsOn": start}},
                tenant=pole,
                actor=staff,
            )
            for start in ("2026-12-01", "2026-12-08")
        )
    )
    payloads = [a["data"]["reserveKit"] for a in answers]
    assert sorted(bool(p["loan"]) for p in payloads) == [False, True]
    assert [p["errors"] for p in payloads if not p["loan"]] == [
        [{"code": "CONFLICT", "field": "kitId"}]
    ]
    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(KitLoan)) == 2


async def test_pages_of_kits_and_loans_cost_the_same_for_5_and_25(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    await client.auth_headers(pole, staff)
    structure = _id(await creche(client, pole, staff))

    async def fill(count: int) -> None:
        async with db.session(pole.id) as session:
            have = await session.scalar(select(func.count()).select_from(Kit)) or 0
            for i in range(have, count):
                kit = Kit(name=f"Malle {i:02}", search_name=f"malle {i:02}", theme="other")
                session.add(kit)
                await session.flush()
                component = KitComponent(kit_id=kit.id, name="Livre", quantity=2)
                session.add(component)
                loan = KitLoan(
                    kit_id=kit.id,
                    starts_on=dt.date(2026, 1, 5),
                    ends_on=dt.date(2026, 1, 26),
                    structure_id=structure,
                    borrower_kind="eaje",
                    status="out",
                    departed_on=dt.date(2026, 1, 5),
                )
                session.add(loan)
                await session.flush()
                session.add(
                    KitLoanCheck(
                        loan_id=loan.id,
                        moment="departure",
                        component_id=component.id,
                        expected=2,
                        missing=0,
                    )
                )
            await session.commit()

    queries = [
        "{ kits(first: 100) { edges { node { name status { label } components { name } } } } }",
        """{ kitLoans(first: 100) { edges { node { borrowerName kit { name components { name } }
          departureCheck { name missing } trips { km staff { displayName } } } } } }""",
        """{ kitAvailability(start: "2026-01-01", end: "2026-03-31") {
          kit { name } busy { startsOn } free { startsOn } } }""",
    ]
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured: dict[int, list[int]] = {}
    for size in (5, 25):
        await fill(size)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            for query in queries:
                statements.clear()
                result = await client.execute(query, tenant=pole, actor=staff)
                assert "errors" not in result, result
                measured.setdefault(size, []).append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[5] == measured[25], measured


async def test_the_catalogue_filters_and_a_kit_whose_contents_change(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    emotions = await publish(client, pole, staff)
    sleep = await publish(
        client, pole, staff, name="Malle sommeil", theme="sleep", ageMinMonths=0, ageMaxMonths=24
    )
    structure = await creche(client, pole, staff)
    loan = (
        await gql(
            client,
            RESERVE,
            pole,
            staff,
            input={"kitId": sleep["id"], "structureId": structure, "startsOn": "2026-01-05"},
        )
    )["reserveKit"]["loan"]
    await gql(client, CONFIRM, pole, staff, id=loan["id"])
    await gql(client, DEPART, pole, staff, id=loan["id"], on="2026-01-05")

    async def names(**variables: Any) -> list[str]:
        data = await gql(
            client,
            """query($search: String, $themes: [String!], $statuses: [String!], $age: Int) {
              kits(search: $search, themes: $themes, statuses: $statuses, ageMonths: $age) {
                edges { node { name } } } }""",
            pole,
            staff,
            **variables,
        )
        return [e["node"]["name"] for e in data["kits"]["edges"]]

    assert await names() == ["Malle des émotions", "Malle sommeil"]
    assert await names(search="emotion") == ["Malle des émotions"]
    assert await names(themes=["sleep"]) == ["Malle sommeil"]
    assert await names(statuses=["out"]) == ["Malle sommeil"]
    assert await names(statuses=["available"]) == ["Malle des émotions"]
    assert await names(age=36) == ["Malle des émotions"]
    overdue = await gql(
        client, "{ kitLoans(overdue: true) { edges { node { overdueDays } } } }", pole, staff
    )
    (row,) = overdue["kitLoans"]["edges"]  # due 2026-01-26: overdue every day after
    assert row["node"]["overdueDays"] == (dt.date.today() - dt.date(2026, 1, 26)).days

    kept, dropped = emotions["components"][0], emotions["components"][2]
    update = f"""mutation($id: ID!, $input: KitInput!) {{ updateKit(id: $id, input: $input) {{
      kit {{ {KIT_FIELDS} }} errors {{ code field }} }} }}"""
    changed = await gql(
        client,
        update,
        pole,
        staff,
        id=emotions["id"],
        input=kit_input(
            components=[
                {"id": kept["id"], "name": "Roue des émotions", "quantity": 2},
                {"name": "Casque anti-bruit", "quantity": 1},
            ]
        ),
    )
    assert [(c["name"], c["quantity"]) for c in changed["updateKit"]["kit"]["components"]] == [
        ("Roue des émotions", 2),
        ("Casque anti-bruit", 1),
    ]
    async with db.session(pole.id) as session:
        # Taken out of the list, kept for past checklists.
        component = (
            await session.execute(select(KitComponent).where(KitComponent.id == _id(dropped["id"])))
        ).scalar_one()
        assert component.active is False
    stranger = await gql(
        client,
        update,
        pole,
        staff,
        id=emotions["id"],
        input=kit_input(components=[{"id": sleep["components"][0]["id"], "name": "x"}]),
    )
    assert stranger["updateKit"]["errors"] == [{"code": "VALIDATION", "field": "components.0.id"}]
    repair = await gql(
        client,
        'mutation($id: ID!) { setKitStatus(id: $id, status: "in_repair") '
        "{ kit { status { label } } } }",
        pole,
        staff,
        id=emotions["id"],
    )
    assert repair["setKitStatus"]["kit"]["status"]["label"] == "En réparation"
