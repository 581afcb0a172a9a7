"""The pole's directory through the real API: structures, partners, gestionnaires,
contacts; validation, duplicates and merge, search, permissions, isolation, audit and a
statement count that does not grow with the page."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, func, select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.structures.models import ContactPerson, Structure
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

CREATE = """mutation($input: StructureInput!, $dup: Boolean! = false) {
  createStructure(input: $input, allowDuplicate: $dup) {
    structure { id name kind kindLabel commune { inseeCode name epci { name } } capacity
      ageMinMonths ageMaxMonths organisation { name } contacts { firstName } }
    errors { code field message } } }"""
LIST = """query($search: String, $kinds: [String!], $commune: String, $epci: String, $first: Int) {
  structures(search: $search, kinds: $kinds, communeInsee: $commune, epciSiren: $epci,
             first: $first) {
    totalCount edges { node { id name kind commune { inseeCode } mergedIntoId
      contacts { firstName lastName function } } } } }"""
CONTACT = """mutation($s: ID, $p: ID, $f: String!, $l: String!) {
  addContact(
    input: { structureId: $s, partnerId: $p, firstName: $f, lastName: $l, function: "Direction" }
  ) {
    contact { id firstName } errors { code field } } }"""


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:dir-{uuid.uuid4().hex[:8]}", display_name="Test", roles=frozenset(roles)
    )


def crèche(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Multi-accueil Les Petits Loups",
        "kind": "eaje",
        "communeInsee": "62119",
        "capacity": 40,
        "ageMinMonths": 2,
        "ageMaxMonths": 72,
        **changes,
    }


async def create(client: GraphQLClient, pole: Any, who: Actor, **changes: Any) -> Any:
    result = await client.execute(CREATE, {"input": crèche(**changes)}, tenant=pole, actor=who)
    return result["data"]["createStructure"]


async def test_a_coordinator_records_a_structure_with_french_labels(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    coordinator = actor("coordinator")
    made = await create(client, two_poles.a, coordinator)
    assert made["errors"] == []
    structure = made["structure"]
    assert structure["kindLabel"] == "EAJE (crèche, multi-accueil)"
    assert structure["commune"]["name"] == "Béthune"
    assert structure["commune"]["epci"]["name"]
    async with db.session(two_poles.a.id) as session:
        (event_,) = (
            await session.execute(
                select(AuditEvent).where(AuditEvent.action == "structures.create")
            )
        ).scalars()
    assert event_.actor == coordinator.subject or event_.actor.startswith("user:")
    assert "capacity" in event_.fields and "name" in event_.fields
    kinds = await client.execute("{ structureKinds { value label } }")
    assert {"value": "mam", "label": "MAM (maison d'assistants maternels)"} in kinds["data"][
        "structureKinds"
    ]


async def test_bad_input_names_the_field_and_writes_nothing(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    cases = [
        ({"communeInsee": "99999"}, "communeInsee"),
        ({"kind": "creche"}, "kind"),
        ({"capacity": -1}, "capacity"),
        ({"ageMinMonths": 48, "ageMaxMonths": 12}, "ageMinMonths"),
        ({"name": "   "}, "name"),
        ({"organisationId": str(uuid.uuid4())}, "organisationId"),
    ]
    for changes, field in cases:
        made = await create(client, two_poles.a, staff, **changes)
        assert made["structure"] is None
        assert [(e["code"], e["field"]) for e in made["errors"]] in (
            [("VALIDATION", field)],
            [("NOT_FOUND", field)],
        ), (changes, made)
    async with db.session(two_poles.a.id) as session:
        assert await session.scalar(select(func.count()).select_from(Structure)) == 0
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_duplicates_are_caught_and_merged(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    first = (await create(client, two_poles.a, staff))["structure"]
    twin = await create(client, two_poles.a, staff, name="multi accueil les petits-loups ")
    assert twin["errors"][0]["code"] == "CONFLICT" and twin["errors"][0]["field"] == "name"
    forced = await client.execute(
        CREATE,
        {"input": crèche(name="MULTI-ACCUEIL LES PETITS LOUPS"), "dup": True},
        tenant=two_poles.a,
        actor=staff,
    )
    second = forced["data"]["createStructure"]["structure"]
    added = await client.execute(
        CONTACT,
        {"s": second["id"], "f": "Claire", "l": "Fictive"},
        tenant=two_poles.a,
        actor=staff,
    )
    assert added["data"]["addContact"]["errors"] == []

    groups = await client.execute(
        "{ structureDuplicates { structures { id } } }", tenant=two_poles.a, actor=staff
    )
    (group,) = groups["data"]["structureDuplicates"]
    assert {s["id"] for s in group["structures"]} == {first["id"], second["id"]}

    merge = """mutation($keep: ID!, $merge: [ID!]!) {
      mergeStructures(keepId: $keep, mergeIds: $merge) {
        structure { id contacts { firstName } } errors { code field } } }"""
    itself = await client.execute(
        merge, {"keep": first["id"], "merge": [first["id"]]}, tenant=two_poles.a, actor=staff
    )
    assert itself["data"]["mergeStructures"]["errors"] == [
        {"code": "VALIDATION", "field": "mergeIds"}
    ]
    done = await client.execute(
        merge, {"keep": first["id"], "merge": [second["id"]]}, tenant=two_poles.a, actor=staff
    )
    merged = done["data"]["mergeStructures"]["structure"]
    assert [c["firstName"] for c in merged["contacts"]] == ["Claire"]
    listed = await client.execute(LIST, tenant=two_poles.a, actor=staff)
    assert listed["data"]["structures"]["totalCount"] == 1
    again = await client.execute(
        merge, {"keep": first["id"], "merge": [second["id"]]}, tenant=two_poles.a, actor=staff
    )
    assert again["data"]["mergeStructures"]["errors"][0]["code"] == "CONFLICT"
    assert (
        await client.execute("{ structureDuplicates { structures { id } } }", tenant=two_poles.a)
    )["data"]["structureDuplicates"] == []


async def test_search_by_name_kind_commune_and_epci(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    await create(client, two_poles.a, staff, name="Crèche Les Lucioles")
    await create(client, two_poles.a, staff, name="MAM Les Coccinelles", kind="mam")
    await create(
        client,
        two_poles.a,
        staff,
        name="Accueil de loisirs d'Arras",
        kind="acm",
        communeInsee="62041",
        ageMinMonths=36,
        ageMaxMonths=204,
    )

    async def names(**variables: Any) -> list[str]:
        result = await client.execute(LIST, variables, tenant=two_poles.a, actor=staff)
        return sorted(e["node"]["name"] for e in result["data"]["structures"]["edges"])

    assert await names(search="creche lucioles") == ["Crèche Les Lucioles"]
    assert await names(kinds=["mam", "acm"]) == [
        "Accueil de loisirs d'Arras",
        "MAM Les Coccinelles",
    ]
    assert await names(commune="62041") == ["Accueil de loisirs d'Arras"]
    béthune = await client.execute('{ commune(inseeCode: "62119") { epci { siren } } }')
    siren = béthune["data"]["commune"]["epci"]["siren"]
    assert await names(epci=siren) == ["Crèche Les Lucioles", "MAM Les Coccinelles"]
    bad = await client.execute(LIST, {"kinds": ["creche"]}, tenant=two_poles.a, actor=staff)
    assert error_codes(bad) == ["VALIDATION"]


async def test_roles_and_poles(client: GraphQLClient, two_poles: TwoPoles) -> None:
    made = (await create(client, two_poles.a, actor("coordinator")))["structure"]
    for role in ("family", "partner_structure", "network_analyst", "platform_admin"):
        result = await client.execute(LIST, tenant=two_poles.a, actor=actor(role))
        assert error_codes(result) == ["FORBIDDEN"], role
    referent = actor("referent")
    assert (await client.execute(LIST, tenant=two_poles.a, actor=referent))["data"]
    assert error_codes(
        await client.execute(CREATE, {"input": crèche()}, tenant=two_poles.a, actor=referent)
    ) == ["FORBIDDEN"]
    # Pole B sees nothing of A, by list, by node id or by merge.
    other = actor("pole_admin")
    listed = await client.execute(LIST, tenant=two_poles.b, actor=other)
    assert listed["data"]["structures"]["totalCount"] == 0
    node = await client.execute(
        f'{{ node(id: "{made["id"]}") {{ id }} }}', tenant=two_poles.b, actor=other
    )
    assert node["data"]["node"] is None
    mine = (await create(client, two_poles.b, other, communeInsee="63300"))["structure"]
    crossing = await client.execute(
        "mutation($k: ID!, $m: [ID!]!) { mergeStructures(keepId: $k, mergeIds: $m) "
        "{ errors { code field } } }",
        {"k": mine["id"], "m": [made["id"]]},
        tenant=two_poles.b,
        actor=other,
    )
    assert crossing["data"]["mergeStructures"]["errors"] == [
        {"code": "NOT_FOUND", "field": "mergeIds.0"}
    ]


async def test_contacts_are_persons_their_reads_are_audited(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    made = (await create(client, two_poles.a, staff))["structure"]
    await client.execute(
        CONTACT, {"s": made["id"], "f": "Nadia", "l": "Fictive"}, tenant=two_poles.a, actor=staff
    )
    await client.execute(LIST, tenant=two_poles.a, actor=staff)
    async with db.session(two_poles.a.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.action == "read", AuditEvent.object_type == "ContactPerson"
                    )
                )
            )
            .scalars()
            .all()
        )
    # The mutation's answer read firstName; the list read three fields: one event each.
    assert sorted(r.fields for r in reads) == [
        ["firstName"],
        ["firstName", "function", "lastName"],
    ]


async def test_a_page_costs_the_same_statements_for_10_and_40_structures(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    staff = actor("staff")
    await client.auth_headers(two_poles.a, staff)

    async def fill(count: int) -> None:
        async with db.session(two_poles.a.id) as session:
            existing = await session.scalar(select(func.count()).select_from(Structure))
            for i in range(existing or 0, count):
                row = Structure(
                    name=f"Crèche {i}",
                    search_name=f"creche {i}",
                    kind="eaje",
                    commune_insee="62119" if i % 2 else "62041",
                )
                session.add(row)
                await session.flush()
                session.add(ContactPerson(structure_id=row.id, first_name="A", last_name=f"B{i}"))
            await session.commit()

    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for size in (10, 40):
        await fill(size)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            result = await client.execute(LIST, {"first": 100}, tenant=two_poles.a, actor=staff)
            assert len(result["data"]["structures"]["edges"]) == size
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured
