"""A real year through the API: five workshops planned, one held, four cancelled for lack
of participants. The convention's outcome says so with its reasons, the registered
parents are told by mail, the figures count it, a family's registrations are in its
export and go with its erasure, and the list costs the same statements however long."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, select

from core.auth.models import MailMessage
from plugins.udaf_workshops.models import Parent, Registration
from tests.plugins.udaf_workshops.operations import (
    ATTEND,
    CONVENTIONS,
    change,
    convention,
    families,
    ok,
    payload,
    plan,
    register,
)

THEMES = (
    "Le sommeil du jeune enfant",
    "Annonce du handicap : en parler en famille",
    "Fratrie : trouver sa place",
    "Premiers pas vers la crèche",
    "Prendre soin de soi quand on est parent aidant",
)
INDICATORS = """
query($start: Date!, $end: Date!) {
  indicators(start: $start, end: $end, names: [
    "udaf_workshops.workshops_planned", "udaf_workshops.workshops_held",
    "udaf_workshops.workshops_cancelled", "udaf_workshops.parents_registered",
    "udaf_workshops.parents_present"]) { name total countsPersons }
}
"""
FIGURE = """
query($year: Int!) {
  figure(name: "udaf_workshops.workshops_cancelled", year: $year,
         dimensions: ["cancel_reason"]) {
    total cells { values { dimension code label } value }
  }
}
"""
EXPORT = "query($f: ID!) { familyDataExport(familyId: $f) { data } }"
ERASE = """mutation($f: ID!) { eraseFamilyData(input: { familyId: $f, receivedOn: "2026-11-03",
  requester: "guardian" }) { request { status counts } errors { code field message } } }"""
ERASE_PARENT = """mutation($p: ID!) { udafWorkshopsEraseParent(parentId: $p) {
  erasedRegistrations errors { code field message } } }"""


async def _year(graphql: Any, tenant: Any) -> dict[str, Any]:
    """The year as the Puy-de-Dôme pole lived it, today's date for every workshop (held
    needs its date passed, registering needs it to come: today is both)."""
    today = dt.date.today()
    held = await convention(graphql, tenant, year=today.year)
    listed = await families(graphql, tenant)
    workshops = [
        await plan(
            graphql,
            tenant,
            held["id"],
            heldOn=today.isoformat(),
            theme=theme,
            capacity=8,
            minimumParticipants=3,
        )
        for theme in THEMES
    ]
    kept, *cancelled = workshops
    registrations = []
    for i, family in enumerate(listed[:3]):
        found = await register(
            graphql, tenant, kept["id"], familyId=family["id"], seats=1 + (i == 0)
        )
        registrations.append(found["registration"]["id"])
    ok(await change(graphql, tenant, kept["id"], "confirmed"), "udafWorkshopsChangeStatus")
    ok(await change(graphql, tenant, kept["id"], "held"), "udafWorkshopsChangeStatus")
    lines = [
        {"registrationId": r, "present": n} for r, n in zip(registrations, (2, 1, 0), strict=True)
    ]
    ok(
        await graphql.execute(
            ATTEND, {"input": {"workshopId": kept["id"], "lines": lines}}, tenant=tenant
        ),
        "udafWorkshopsRecordAttendance",
    )
    notified = []
    for i, workshop in enumerate(cancelled):
        await register(
            graphql,
            tenant,
            workshop["id"],
            familyId=listed[3 + i]["id"],
            email=f"famille{i}@exemple.example",
        )
        await register(
            graphql,
            tenant,
            workshop["id"],
            parent={
                "firstName": "Aurélie",
                "lastName": f"Parent{i}",
                "phone": "00 00 00 00 00",
                "consent": True,
            },
        )
        done = ok(
            await change(
                graphql, tenant, workshop["id"], "cancelled", reason="too_few_participants"
            ),
            "udafWorkshopsChangeStatus",
        )
        notified.append(done["notified"])
    return {"listed": listed, "notified": notified, "kept": kept}


async def test_the_year_says_one_workshop_held_out_of_five_for_lack_of_participants(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    year = await _year(graphql, tenant)
    # One mail per cancelled workshop: the family that left an address (the new parent
    # gave a phone only: the pole calls).
    assert year["notified"] == [1, 1, 1, 1]
    async with maillage_db.reference_session() as session:
        mails = list(
            (
                await session.execute(
                    select(MailMessage).where(MailMessage.to.like("famille%@exemple.example"))
                )
            ).scalars()
        )
    assert len(mails) == 4
    assert all("annulé (faute de participants)" in m.body for m in mails)
    assert all(m.subject.startswith("Atelier annulé") for m in mails)

    found = await graphql.execute(CONVENTIONS, {"year": dt.date.today().year}, tenant=tenant)
    (listed,) = payload(found, "udafWorkshops")["conventions"]
    outcome = listed["outcome"]
    assert outcome["summary"] == "1 atelier maintenu sur les 5 prévus, faute de participants"
    assert (outcome["planned"], outcome["held"], outcome["cancelled"], outcome["toCome"]) == (
        5,
        1,
        4,
        0,
    )
    assert outcome["cancellations"] == [
        {"reason": {"value": "too_few_participants", "label": "Faute de participants"}, "count": 4}
    ]
    # Parents registered: 4 on the held workshop (a couple and two), 2 on each cancelled.
    assert (outcome["parentsRegistered"], outcome["parentsPresent"]) == (4 + 8, 3)

    this_year = dt.date.today().year
    figures = await graphql.execute(
        INDICATORS,
        {"start": f"{this_year}-01-01", "end": f"{this_year + 1}-01-01"},
        tenant=tenant,
    )
    totals = {f["name"].split(".")[1]: f["total"] for f in payload(figures, "indicators")}
    assert totals == {
        "workshops_planned": 5,
        "workshops_held": 1,
        "workshops_cancelled": 4,
        "parents_registered": 12,
        "parents_present": 3,
    }
    reasons = payload(await graphql.execute(FIGURE, {"year": this_year}, tenant=tenant), "figure")
    assert reasons["total"] == 4
    assert [(c["values"][0]["label"], c["value"]) for c in reasons["cells"]] == [
        ("Faute de participants", 4)
    ]


async def test_a_familys_registrations_are_exported_and_erased_with_it(
    make_tenant, enable_plugin, graphql, maillage_db, make_actor
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    year = await _year(graphql, tenant)
    first = year["listed"][0]
    dpo = make_actor("coordinator", grants=["gdpr.manage"])
    exported = await graphql.execute(EXPORT, {"f": first["id"]}, tenant=tenant, actor=dpo)
    sections = {s["source"]: s for s in exported["data"]["familyDataExport"]["data"]["sections"]}
    records = sections["udaf_workshops_registrations"]["records"]
    assert [(r["fields"]["Parents inscrits"], r["fields"]["Parents venus"]) for r in records] == [
        (2, 2)
    ]
    erased = await graphql.execute(ERASE, {"f": first["id"]}, tenant=tenant, actor=dpo)
    request = erased["data"]["eraseFamilyData"]["request"]
    assert request["status"] == "done"
    assert request["counts"]["udaf_workshops_registrations"] == 1
    async with maillage_db.session(tenant.id) as session:
        left = set((await session.execute(select(Registration.family_id))).scalars())
    # The six other families' registrations stay, and the new parents' (no family).
    assert len(left - {None}) == 6 and None in left

    # A parent not yet known to the pole is erased on request, with its registration.
    parents = payload(
        await graphql.execute("{ udafWorkshops { parents { id lastName } } }", tenant=tenant),
        "udafWorkshops",
    )["parents"]
    done = ok(
        await graphql.execute(ERASE_PARENT, {"p": parents[0]["id"]}, tenant=tenant),
        "udafWorkshopsEraseParent",
    )
    assert done["erasedRegistrations"] == 1
    async with maillage_db.session(tenant.id) as session:
        names = set((await session.execute(select(Parent.last_name))).scalars())
    assert parents[0]["lastName"] not in names and len(names) == 3


async def test_the_conventions_list_costs_the_same_statements_however_many_workshops(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    today = dt.date.today()
    held = await convention(graphql, tenant, year=today.year, workshopsPlanned=12)
    listed = await families(graphql, tenant)
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    planned = 0
    for wanted in (2, 6):
        for i in range(planned, wanted):
            workshop = await plan(
                graphql, tenant, held["id"], heldOn=today.isoformat(), theme=f"Atelier {i}"
            )
            await register(graphql, tenant, workshop["id"], familyId=listed[i]["id"])
        planned = wanted
        await graphql.execute(CONVENTIONS, {"year": today.year}, tenant=tenant)
        event.listen(maillage_db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            answer = await graphql.execute(CONVENTIONS, {"year": today.year}, tenant=tenant)
        finally:
            event.remove(maillage_db.engine.sync_engine, "before_cursor_execute", count)
        (found,) = payload(answer, "udafWorkshops")["conventions"]
        assert all(w["registrations"][0]["family"]["name"] for w in found["workshops"])
        measured.append((len(found["workshops"]), len(statements)))
    (few, first), (many, second) = measured
    assert (few, many) == (2, 6) and first == second, measured
