"""Reminders before a confirmed workshop (once per parent, only with an address), a
parent not yet known to the pole who becomes a family (the registrations follow it),
and a disabled plugin whose figures are gone while its data stays."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from core.auth.models import MailMessage
from plugins.udaf_workshops.models import Registration
from tests.plugins.udaf_workshops.operations import (
    CONVENTIONS,
    change,
    convention,
    error,
    families,
    ok,
    payload,
    plan,
    register,
)

REMIND = """mutation($w: ID!) { udafWorkshopsSendReminders(workshopId: $w) {
  notified workshop { registrations { remindedOn } } errors { code field message } } }"""
LINK = """mutation($p: ID!, $f: ID!) { udafWorkshopsLinkParent(parentId: $p, familyId: $f) {
  parent { id family { id name } } errors { code field message } } }"""
DUE = "{ udafWorkshops { remindersDue { theme } } }"
INDICATORS = """query($start: Date!, $end: Date!) {
  indicators(start: $start, end: $end, names: ["udaf_workshops.workshops_held"]) { name total } }"""


async def _mails(db: Any, like: str) -> int:
    async with db.reference_session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(MailMessage).where(MailMessage.to.like(like))
            )
        )


async def test_reminders_go_once_to_the_registered_parents_with_an_address(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    soon = dt.date.today() + dt.timedelta(days=3)
    held = await convention(graphql, tenant, year=soon.year)
    workshop = await plan(graphql, tenant, held["id"], heldOn=soon.isoformat())
    listed = await families(graphql, tenant)
    await register(
        graphql, tenant, workshop["id"], familyId=listed[0]["id"], email="a@rappel.example"
    )
    await register(graphql, tenant, workshop["id"], familyId=listed[1]["id"])
    parent = {"firstName": "Karim", "lastName": "S", "email": "k@rappel.example", "consent": True}
    await register(graphql, tenant, workshop["id"], parent=parent)

    # A workshop still « planned » is not reminded.
    refused = await graphql.execute(REMIND, {"w": workshop["id"]}, tenant=tenant)
    assert error(refused, "udafWorkshopsSendReminders") == ("CONFLICT", "workshopId")
    ok(await change(graphql, tenant, workshop["id"], "confirmed"), "udafWorkshopsChangeStatus")
    due = payload(await graphql.execute(DUE, tenant=tenant), "udafWorkshops")["remindersDue"]
    assert due == [{"theme": workshop["theme"]}]
    sent = ok(
        await graphql.execute(REMIND, {"w": workshop["id"]}, tenant=tenant),
        "udafWorkshopsSendReminders",
    )
    assert sent["notified"] == 2
    reminded = [r["remindedOn"] for r in sent["workshop"]["registrations"]]
    assert sorted(map(str, reminded)) == sorted([dt.date.today().isoformat()] * 2 + ["None"])
    again = ok(
        await graphql.execute(REMIND, {"w": workshop["id"]}, tenant=tenant),
        "udafWorkshopsSendReminders",
    )
    assert again["notified"] == 0
    due = payload(await graphql.execute(DUE, tenant=tenant), "udafWorkshops")["remindersDue"]
    assert due == []
    assert await _mails(maillage_db, "%@rappel.example") == 2


async def test_a_parent_who_becomes_a_family_takes_the_registrations_along(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant, other = await make_tenant("63"), await make_tenant("62")
    await enable_plugin(tenant, "udaf_workshops")
    held = await convention(graphql, tenant)
    workshop = await plan(graphql, tenant, held["id"])
    parent = {"firstName": "Aurélie", "lastName": "C", "phone": "00 00 00 00 00", "consent": True}
    found = await register(graphql, tenant, workshop["id"], parent=parent)
    parent_id = found["registration"]["parent"]["id"]
    family = (await families(graphql, tenant))[0]
    theirs = (await families(graphql, other))[0]

    refused = await graphql.execute(LINK, {"p": parent_id, "f": theirs["id"]}, tenant=tenant)
    assert error(refused, "udafWorkshopsLinkParent") == ("NOT_FOUND", "familyId")
    linked = ok(
        await graphql.execute(LINK, {"p": parent_id, "f": family["id"]}, tenant=tenant),
        "udafWorkshopsLinkParent",
    )
    assert linked["parent"]["family"] == {"id": family["id"], "name": family["name"]}
    async with maillage_db.session(tenant.id) as session:
        rows = (await session.execute(select(Registration))).scalars().all()
    assert [(r.parent_id, r.family_id is not None) for r in rows] == [(None, True)]
    listed = payload(
        await graphql.execute(CONVENTIONS, {"year": None}, tenant=tenant), "udafWorkshops"
    )
    registrations = listed["conventions"][0]["workshops"][0]["registrations"]
    assert [r["family"]["name"] for r in registrations] == [family["name"]]


async def test_a_disabled_plugin_counts_nothing_and_keeps_its_rows(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    today = dt.date.today()
    held = await convention(graphql, tenant, year=today.year)
    workshop = await plan(
        graphql, tenant, held["id"], heldOn=today.isoformat(), minimumParticipants=1
    )
    await register(
        graphql, tenant, workshop["id"], familyId=(await families(graphql, tenant))[0]["id"]
    )
    for status in ("confirmed", "held"):
        ok(await change(graphql, tenant, workshop["id"], status), "udafWorkshopsChangeStatus")
    period = {"start": f"{today.year}-01-01", "end": f"{today.year + 1}-01-01"}
    counted = payload(await graphql.execute(INDICATORS, period, tenant=tenant), "indicators")
    assert counted == [{"name": "udaf_workshops.workshops_held", "total": 1}]

    await enable_plugin(tenant, "udaf_workshops", enabled=False)
    hidden = await graphql.execute(INDICATORS, period, tenant=tenant)
    assert not (hidden.get("data") or {}).get("indicators")
    async with maillage_db.session(tenant.id) as session:
        assert await session.scalar(select(func.count()).select_from(Registration)) == 1
    await enable_plugin(tenant, "udaf_workshops")
    again = payload(await graphql.execute(INDICATORS, period, tenant=tenant), "indicators")
    assert again == counted
