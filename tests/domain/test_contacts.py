"""Contact persons corrected and removed through the API: a bad address or a nameless
person is refused naming the field and writes nothing; another pole's contact is
NOT_FOUND; a removal is audited and listed in ``deletions``; a role without
``structures.manage`` is refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.domain.test_structures import CONTACT, LIST, actor, create

UPDATE = """mutation($id: ID!, $input: ContactInput!) { updateContact(id: $id, input: $input) {
  contact { id firstName lastName function email phone } errors { code field } } }"""
REMOVE = "mutation($id: ID!) { removeContact(id: $id) { errors { code field } } }"
DELETIONS = """query($since: DateTime!) { deletions(since: $since, first: 100) {
  edges { node { type objectId } } } }"""


async def a_contact(client: GraphQLClient, pole: object, who: object) -> tuple[str, str]:
    made = (await create(client, pole, who))["structure"]
    added = await client.execute(
        CONTACT, {"s": made["id"], "f": "Nadia", "l": "Fictive"}, tenant=pole, actor=who
    )
    return made["id"], added["data"]["addContact"]["contact"]["id"]


async def test_a_contact_is_corrected_then_removed(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("coordinator")
    # A minute back, as tests/domain/test_sync.py: the feed's times are the database's.
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    structure_id, contact_id = await a_contact(client, pole, staff)
    person = {"firstName": "Nadia", "lastName": "Fictive", "function": "RSAI"}

    wrong = await client.execute(
        UPDATE, {"id": contact_id, "input": {**person, "email": "nadia"}}, tenant=pole, actor=staff
    )
    assert wrong["data"]["updateContact"]["errors"] == [{"code": "VALIDATION", "field": "email"}]
    nameless = await client.execute(
        UPDATE,
        {"id": contact_id, "input": {"firstName": " ", "lastName": ""}},
        tenant=pole,
        actor=staff,
    )
    assert nameless["data"]["updateContact"]["errors"] == [
        {"code": "VALIDATION", "field": "lastName"}
    ]
    listed = await client.execute(LIST, tenant=pole, actor=staff)
    contacts = [
        c
        for e in listed["data"]["structures"]["edges"]
        if e["node"]["id"] == structure_id
        for c in e["node"]["contacts"]
    ]
    assert contacts == [{"firstName": "Nadia", "lastName": "Fictive", "function": "Direction"}]

    done = await client.execute(
        UPDATE,
        {"id": contact_id, "input": {**person, "email": "nadia@creche.example", "phone": "04"}},
        tenant=pole,
        actor=staff,
    )
    assert done["data"]["updateContact"] == {
        "contact": {
            "id": contact_id,
            "firstName": "Nadia",
            "lastName": "Fictive",
            "function": "RSAI",
            "email": "nadia@creche.example",
            "phone": "04",
        },
        "errors": [],
    }

    theirs = await client.execute(
        REMOVE, {"id": contact_id}, tenant=two_poles.b, actor=actor("coordinator")
    )
    assert theirs["data"]["removeContact"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    family = await client.execute(REMOVE, {"id": contact_id}, tenant=pole, actor=actor("family"))
    assert error_codes(family) == ["FORBIDDEN"]

    removed = await client.execute(REMOVE, {"id": contact_id}, tenant=pole, actor=staff)
    assert removed["data"]["removeContact"]["errors"] == []
    again = await client.execute(REMOVE, {"id": contact_id}, tenant=pole, actor=staff)
    assert again["data"]["removeContact"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    feed = await client.execute(DELETIONS, {"since": since}, tenant=pole, actor=actor("pole_admin"))
    assert {"type": "ContactPerson", "objectId": contact_id} in [
        e["node"] for e in feed["data"]["deletions"]["edges"]
    ]
    async with db.session(pole.id) as session:
        actions = (
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.object_id == contact_id)
            )
        ).all()
    assert {"structures.contact.update", "structures.contact.delete"} <= set(actions)
