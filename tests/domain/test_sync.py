"""Keeping an exact copy in sync: lists filtered by ``updatedSince`` return the records
changed since then — their own fields or something nested in them — and, with the
``deletions(since:)`` feed (tests/domain/test_gdpr.py), nothing is missed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import update

from core.access.actions import Actor
from core.domain.casework.models import FollowUp, Request
from core.domain.families.models import Family
from core.domain.structures.models import Structure
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.domain.test_gdpr import a_followed_family, call

LISTS = """query($since: DateTime) {
  families(updatedSince: $since) { totalCount edges { node { id name anonymisedAt } } }
  structures(updatedSince: $since) { totalCount }
  partners(updatedSince: $since) { totalCount }
  requests(updatedSince: $since) { totalCount }
  followUps(updatedSince: $since) { totalCount edges { node { id } } } }"""
OLD = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
SINCE = "2025-01-01T00:00:00+00:00"


def coordinator() -> Actor:
    return Actor(
        subject=f"test:sync-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset({"coordinator"}),
        grants=frozenset({"gdpr.manage", "children.health", "families.situation"}),
    )


async def _age_everything(db: Database, pole: Any) -> None:
    """As if the copy had been taken long ago: every row last changed in 2020."""
    async with db.session(pole.id) as session:
        for model in (Family, Structure, Request, FollowUp):
            await session.execute(
                update(model).values(updated_at=OLD).execution_options(synchronize_session=False)
            )
        await session.commit()


async def test_updated_since_finds_nested_changes_and_anonymised_files(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, coordinator()
    ids = await a_followed_family(client, who, pole)
    everything = await client.execute(LISTS, {"since": None}, tenant=pole, actor=who)
    assert everything["data"]["families"]["totalCount"] == 1
    await _age_everything(db, pole)
    quiet = await client.execute(LISTS, {"since": SINCE}, tenant=pole, actor=who)
    assert {k: v["totalCount"] for k, v in quiet["data"].items()} == {
        "families": 0,
        "structures": 0,
        "partners": 0,
        "requests": 0,
        "followUps": 0,
    }

    # A guardian added: the family node changed, nothing else did.
    await call(
        client,
        who,
        pole,
        """mutation($f: ID!) { addGuardian(input: { familyId: $f, firstName: "Alex",
          lastName: "Fictif", relationship: "father" }) { errors { code field } } }""",
        f=ids["family"],
    )
    after = await client.execute(LISTS, {"since": SINCE}, tenant=pole, actor=who)
    assert [e["node"]["id"] for e in after["data"]["families"]["edges"]] == [ids["family"]]
    assert after["data"]["followUps"]["totalCount"] == 0

    # Erased: the anonymised skeleton reaches the copy (plain lists no longer show it).
    await _age_everything(db, pole)
    await call(
        client,
        who,
        pole,
        """mutation($f: ID!) { eraseFamilyData(input: { familyId: $f, receivedOn: "2026-11-02",
          requester: "guardian" }) { errors { code field } } }""",
        f=ids["family"],
    )
    synced = await client.execute(LISTS, {"since": SINCE}, tenant=pole, actor=who)
    (node,) = [e["node"] for e in synced["data"]["families"]["edges"]]
    assert node["name"] == "Dossier anonymisé" and node["anonymisedAt"]
    assert synced["data"]["requests"]["totalCount"] == 1  # its free text was stripped
    assert synced["data"]["followUps"]["totalCount"] == 1
    plain = await client.execute("{ families { totalCount } }", tenant=pole, actor=who)
    assert plain["data"]["families"]["totalCount"] == 0
    # Another pole's sync sees none of it.
    theirs = await client.execute(LISTS, {"since": None}, tenant=two_poles.b, actor=coordinator())
    assert all(v["totalCount"] == 0 for v in theirs["data"].values())


async def test_a_deleted_node_reaches_the_deletions_feed(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, coordinator()
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    recorded = await call(
        client,
        who,
        pole,
        """mutation { recordOutreachEvent(input: {kind: "forum", communeInsee: "62119",
          heldOn: "2026-10-03", peopleReached: 40, title: "Forum petite enfance"}) {
          outreachEvent { id } errors { code field } } }""",
    )
    event_id = recorded["outreachEvent"]["id"]
    await call(
        client,
        who,
        pole,
        "mutation($id: ID!) { deleteOutreachEvent(id: $id) { errors { code field } } }",
        id=event_id,
    )
    feed = await client.execute(
        "query($s: DateTime!) { deletions(since: $s) { edges { node { type globalId } } } }",
        {"s": since},
        tenant=pole,
        actor=who,
    )
    assert [e["node"] for e in feed["data"]["deletions"]["edges"]] == [
        {"type": "OutreachEvent", "globalId": event_id}
    ]
