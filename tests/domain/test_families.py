"""Families and children through the real API: the file, consents, children with
their age bracket, structures and partners; validation, sensitive fields, audited
reads, isolation, merge of structures, and statement counts that do not grow."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import event, func, select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.families.models import (
    Child,
    ChildPartner,
    ChildStructure,
    Consent,
    Family,
    Guardian,
)
from core.domain.structures.models import Partner, Structure
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

CARE = ["children.health", "families.situation"]
FAMILY = """mutation($name: String!, $commune: String!, $situation: String! = "") {
  createFamily(input: { name: $name, communeInsee: $commune, situation: $situation }) {
    family { id name } errors { code field } } }"""
CHILD = """mutation($f: ID!, $n: String!, $b: Date!, $p: [String!], $d: String) {
  addChild(input: { familyId: $f, firstName: $n, birthDate: $b, needsProfile: $p, diagnosis: $d }) {
    child { id firstName age(on: "2026-11-01") ageBracket(on: "2026-11-01") { code label }
      needsProfile { value label } diagnosis }
    errors { code field message } } }"""
READ_CHILD = """query($id: ID!) { node(id: $id) { ... on Child {
  firstName birthDate diagnosis healthNotes structures { structure { name } startsOn } } } }"""


def actor(*roles: str, grants: list[str] | None = None) -> Actor:
    return Actor(
        subject=f"test:fam-{uuid.uuid4().hex[:8]}",
        display_name="Test",
        roles=frozenset(roles),
        grants=frozenset(grants or []),
    )


async def family(client: GraphQLClient, pole: Any, who: Actor, **kw: Any) -> str:
    variables = {"name": "Famille Fictive", "commune": "62119", **kw}
    result = await client.execute(FAMILY, variables, tenant=pole, actor=who)
    payload = result["data"]["createFamily"]
    assert payload["errors"] == [], payload
    return payload["family"]["id"]


async def child(client: GraphQLClient, pole: Any, who: Actor, family_id: str, **kw: Any) -> Any:
    variables = {"f": family_id, "n": "Léo", "b": "2023-03-14", "p": ["autism"], **kw}
    result = await client.execute(CHILD, variables, tenant=pole, actor=who)
    return result


async def test_a_coordinator_opens_a_file_with_consent_and_a_child(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    coordinator = actor("coordinator", grants=CARE)
    fid = await family(client, two_poles.a, coordinator, situation="(fictif) garde alternée")
    guardian = await client.execute(
        'mutation($f: ID!) { addGuardian(input: { familyId: $f, firstName: "Sarah", '
        'lastName: "Fictive", relationship: "mother", phone: "06 00 00 00 00" }) { family { '
        "guardians { relationshipLabel } } errors { code field } } }",
        {"f": fid},
        tenant=two_poles.a,
        actor=coordinator,
    )
    assert guardian["data"]["addGuardian"]["family"]["guardians"] == [{"relationshipLabel": "Mère"}]
    made = await child(client, two_poles.a, coordinator, fid, d="(fictif) TSA")
    created = made["data"]["addChild"]["child"]
    assert created["age"] == 3
    assert created["ageBracket"] == {"code": "3-6", "label": "3 à 6 ans"}
    assert created["needsProfile"] == [
        {"value": "autism", "label": "Troubles du spectre de l'autisme"}
    ]
    assert created["diagnosis"] == "(fictif) TSA"

    consent = """mutation($f: ID!, $at: DateTime!) { recordConsent(input: { familyId: $f,
      purpose: "share_with_structure", givenBy: "Sarah Fictive", givenAt: $at }) {
      family { consent(purpose: "share_with_structure") { id active purposeLabel } }
      errors { code field } } }"""
    at = "2026-10-02T10:00:00+02:00"
    given = await client.execute(
        consent, {"f": fid, "at": at}, tenant=two_poles.a, actor=coordinator
    )
    record = given["data"]["recordConsent"]["family"]["consent"]
    assert record["active"] and "structure" in record["purposeLabel"]
    twice = await client.execute(
        consent, {"f": fid, "at": at}, tenant=two_poles.a, actor=coordinator
    )
    assert twice["data"]["recordConsent"]["errors"] == [{"code": "CONFLICT", "field": "purpose"}]
    withdraw = """mutation($id: ID!) { withdrawConsent(id: $id, by: "Sarah Fictive") {
      family { consent(purpose: "share_with_structure") { id } consents { active } }
      errors { code field } } }"""
    out = await client.execute(
        withdraw, {"id": record["id"]}, tenant=two_poles.a, actor=coordinator
    )
    assert out["data"]["withdrawConsent"]["family"]["consent"] is None
    assert out["data"]["withdrawConsent"]["family"]["consents"] == [{"active": False}]
    again = await client.execute(
        withdraw, {"id": record["id"]}, tenant=two_poles.a, actor=coordinator
    )
    assert again["data"]["withdrawConsent"]["errors"] == [{"code": "CONFLICT", "field": "id"}]

    async with db.session(two_poles.a.id) as session:
        events = {
            e.action: e.fields
            for e in (await session.execute(select(AuditEvent))).scalars()
            if e.action != "read"
        }
    assert "diagnosis" in events["children.create"]
    assert "situation" in events["families.create"]
    assert "(fictif)" not in repr(events)


async def test_bad_input_names_the_field_and_changes_nothing(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    fid = await family(client, two_poles.a, staff)
    cases = [
        ({"b": "2099-01-01"}, "birthDate"),
        ({"p": ["autisme"]}, "needsProfile"),
        ({"n": " "}, "firstName"),
        ({"f": str(uuid.uuid4())}, "familyId"),
    ]
    for changes, field in cases:
        result = await child(client, two_poles.a, staff, fid, **changes)
        errors = result["data"]["addChild"]["errors"]
        assert [e["field"] for e in errors] == [field], (changes, result)
    bad_commune = await client.execute(
        FAMILY, {"name": "Famille X", "commune": "00000"}, tenant=two_poles.a, actor=staff
    )
    assert bad_commune["data"]["createFamily"]["errors"] == [
        {"code": "VALIDATION", "field": "communeInsee"}
    ]
    async with db.session(two_poles.a.id) as session:
        assert await session.scalar(select(func.count()).select_from(Child)) == 0
        assert await session.scalar(select(func.count()).select_from(Family)) == 1


async def test_sensitive_fields_need_the_grant_to_write_and_to_read(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    psy = actor("psychologist", grants=CARE)
    fid = await family(client, two_poles.a, psy)
    cid = (await child(client, two_poles.a, psy, fid, d="(fictif) TSA"))["data"]["addChild"][
        "child"
    ]["id"]
    staff = actor("staff")
    refused = await child(client, two_poles.a, staff, fid, d="(fictif) autre")
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(
        await client.execute(
            FAMILY,
            {"name": "Famille Y", "commune": "62119", "situation": "x"},
            tenant=two_poles.a,
            actor=staff,
        )
    ) == ["FORBIDDEN"]
    read = await client.execute(READ_CHILD, {"id": cid}, tenant=two_poles.a, actor=staff)
    node = read["data"]["node"]
    assert node["firstName"] == "Léo" and node["diagnosis"] is None
    assert set(error_codes(read)) == {"FORBIDDEN"}
    async with db.session(two_poles.a.id) as session:
        (event_,) = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.action == "read",
                        AuditEvent.object_type == "Child",
                        AuditEvent.actor != psy.subject,
                    )
                )
            )
            .scalars()
            .all()[-1:]
        )
    assert event_.fields == ["birthDate", "firstName", "structures"]


async def test_another_pole_sees_nothing_of_the_file(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    coordinator = actor("coordinator", grants=CARE)
    fid = await family(client, two_poles.a, coordinator)
    cid = (await child(client, two_poles.a, coordinator, fid))["data"]["addChild"]["child"]["id"]
    other = actor("coordinator", grants=CARE)
    listed = await client.execute("{ families { totalCount } }", tenant=two_poles.b, actor=other)
    assert listed["data"]["families"]["totalCount"] == 0
    for id_ in (fid, cid):
        node = await client.execute(
            f'{{ node(id: "{id_}") {{ id }} }}', tenant=two_poles.b, actor=other
        )
        assert node["data"]["node"] is None
    linked = await child(client, two_poles.b, other, fid)
    assert linked["data"]["addChild"]["errors"][0]["field"] == "familyId"
    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        result = await client.execute(
            "{ families { totalCount } }", tenant=two_poles.a, actor=actor(role)
        )
        assert error_codes(result) == ["FORBIDDEN"], role


async def test_children_follow_their_structure_when_duplicates_merge(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    fid = await family(client, two_poles.a, staff)
    cid = (await child(client, two_poles.a, staff, fid))["data"]["addChild"]["child"]["id"]
    async with db.session(two_poles.a.id) as session:
        kept, twin = (
            Structure(name="Crèche A", search_name="creche a", kind="eaje", commune_insee="62119"),
            Structure(name="Creche A", search_name="creche a", kind="eaje", commune_insee="62119"),
        )
        session.add_all([kept, twin])
        await session.commit()
    link = """mutation($c: ID!, $s: ID!, $from: Date!, $to: Date) {
      linkChildStructure(input: { childId: $c, structureId: $s, startsOn: $from, endsOn: $to }) {
        child { structures { structure { name } } } errors { code field } } }"""
    reversed_ = await client.execute(
        link,
        {"c": cid, "s": str(twin.id), "from": "2026-09-01", "to": "2026-01-01"},
        tenant=two_poles.a,
        actor=staff,
    )
    assert reversed_["data"]["linkChildStructure"]["errors"] == [
        {"code": "VALIDATION", "field": "endsOn"}
    ]
    ok = await client.execute(
        link, {"c": cid, "s": str(twin.id), "from": "2026-09-01"}, tenant=two_poles.a, actor=staff
    )
    assert ok["data"]["linkChildStructure"]["errors"] == []
    merged = await client.execute(
        "mutation($k: ID!, $m: [ID!]!) { mergeStructures(keepId: $k, mergeIds: $m) "
        "{ errors { code } } }",
        {"k": str(kept.id), "m": [str(twin.id)]},
        tenant=two_poles.a,
        actor=staff,
    )
    assert merged["data"]["mergeStructures"]["errors"] == []
    async with db.session(two_poles.a.id) as session:
        (row,) = (await session.execute(select(ChildStructure))).scalars()
    assert row.structure_id == kept.id


async def test_a_page_of_families_costs_the_same_for_5_and_25_families(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    await client.auth_headers(two_poles.a, staff)
    async with db.session(two_poles.a.id) as session:
        structure = Structure(
            name="Crèche", search_name="creche", kind="eaje", commune_insee="62119"
        )
        partner = Partner(name="CAMSP", search_name="camsp", kind="camsp")
        session.add_all([structure, partner])
        await session.commit()

    async def fill(count: int) -> None:
        async with db.session(two_poles.a.id) as session:
            have = await session.scalar(select(func.count()).select_from(Family)) or 0
            for i in range(have, count):
                f = Family(name=f"Famille {i}", search_name=f"famille {i}", commune_insee="62119")
                session.add(f)
                await session.flush()
                session.add(
                    Guardian(family_id=f.id, first_name="A", last_name="B", relationship_="mother")
                )
                session.add(
                    Consent(
                        family_id=f.id,
                        purpose="follow_up",
                        given_by="A B",
                        given_at=dt.datetime.now(dt.UTC),
                        recorded_by="test",
                    )
                )
                c = Child(
                    family_id=f.id,
                    first_name="C",
                    birth_date=dt.date(2022, 1, 1),
                    commune_insee="62119",
                    needs_profile=["motor"],
                )
                session.add(c)
                await session.flush()
                session.add(
                    ChildStructure(
                        child_id=c.id, structure_id=structure.id, starts_on=dt.date(2025, 1, 1)
                    )
                )
                session.add(
                    ChildPartner(
                        child_id=c.id, partner_id=partner.id, starts_on=dt.date(2025, 1, 1)
                    )
                )
            await session.commit()

    query = """{ families(first: 100) { edges { node { name guardians { firstName }
      consents { purpose } children { firstName ageBracket { code }
      structures { structure { name commune { name } } } partners { partner { name } } } } } } }"""
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for size in (5, 25):
        await fill(size)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            result = await client.execute(query, tenant=two_poles.a, actor=staff)
            assert len(result["data"]["families"]["edges"]) == size
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured


SEARCH = """query($s: String) { families(search: $s, first: 20) {
  totalCount edges { node { name } } } }"""


async def test_a_family_is_found_by_its_name_or_a_childs_first_name(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    """The families' search finds a file by its name or by one of its children's first
    names, accents and case aside, each word typed naming one or the other; never a
    file of another pole."""
    who = actor("coordinator", grants=CARE)
    dupont = await family(client, two_poles.a, who, name="Famille Dupont")
    await child(client, two_poles.a, who, dupont, n="Maël")
    martin = await family(client, two_poles.a, who, name="Famille Martin")
    await child(client, two_poles.a, who, martin, n="Léa")
    await child(client, two_poles.a, who, martin, n="Jean-Baptiste")
    elsewhere = await family(client, two_poles.b, who, name="Famille Maelle")
    await child(client, two_poles.b, who, elsewhere, n="Maël")

    async def found(search: str) -> list[str]:
        result = await client.execute(SEARCH, {"s": search}, tenant=two_poles.a, actor=who)
        page = result["data"]["families"]
        names = [e["node"]["name"] for e in page["edges"]]
        assert page["totalCount"] == len(names), page
        return names

    assert await found("dupont") == ["Famille Dupont"]
    assert await found("MAEL") == ["Famille Dupont"]  # the child, accents and case aside
    assert await found("maël dupont") == ["Famille Dupont"]
    assert await found("mael martin") == []  # each word names this family or its children
    assert await found("lea jean baptiste") == ["Famille Martin"]
    assert await found("famille") == ["Famille Dupont", "Famille Martin"]
    assert await found("ma%") == []  # LIKE's wildcards are letters here
