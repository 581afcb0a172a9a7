"""Every DateTime the API answers carries its offset, in UTC, on both databases
(decision 99): SQLite hands back naive datetimes, PostgreSQL aware ones; a client
parsing « 2026-10-05T09:30:00 » would not know which clock it reads. A DateTime sent
without an offset is read as UTC, the same on both databases."""

from __future__ import annotations

import datetime as dt
import uuid

from core.access.actions import Actor
from core.api.scalars import SCALARS
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles

READ = """query($since: DateTime) {
  auditEvents(first: 5, since: $since) { totalCount edges { node { at action } } }
  families(first: 5, updatedSince: $since) { totalCount } }"""


def admin() -> Actor:
    return Actor(
        subject=f"test:dates-{uuid.uuid4().hex[:8]}",
        display_name="Administratrice de test",
        roles=frozenset({"coordinator", "pole_admin"}),
    )


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() == dt.timedelta(0), text
    return moment


async def test_datetimes_read_back_carry_the_utc_offset(client: GraphQLClient, two_poles: TwoPoles):
    pole, who = two_poles.a, admin()
    written = await client.execute(
        """mutation { createFamily(input: { name: "Famille Horaire", communeInsee: "62119" }) {
          family { id } errors { code field } } }""",
        tenant=pole,
        actor=who,
    )
    assert written["data"]["createFamily"]["errors"] == [], written
    result = await client.execute(READ, {"since": None}, tenant=pole, actor=who)
    assert "errors" not in result, result
    stamps = [e["node"]["at"] for e in result["data"]["auditEvents"]["edges"]]
    assert stamps
    assert all(stamp.endswith("+00:00") for stamp in stamps), stamps
    # Read as UTC, a moment without its offset and the same moment with it select alike.
    earliest = min(_moment(s) for s in stamps) - dt.timedelta(seconds=1)
    naive = await client.execute(
        READ, {"since": earliest.replace(tzinfo=None).isoformat()}, tenant=pole, actor=who
    )
    aware = await client.execute(READ, {"since": earliest.isoformat()}, tenant=pole, actor=who)
    assert "errors" not in naive, naive
    assert naive["data"] == aware["data"]
    assert naive["data"]["families"]["totalCount"] == 1


def test_the_scalar_answers_utc_whatever_it_is_given():
    serialize = SCALARS[dt.datetime].serialize
    assert serialize is not None
    paris = dt.timezone(dt.timedelta(hours=2))
    assert serialize(dt.datetime(2026, 6, 1, 9, 30)) == "2026-06-01T09:30:00+00:00"
    assert serialize(dt.datetime(2026, 6, 1, 11, 30, tzinfo=paris)) == "2026-06-01T09:30:00+00:00"
