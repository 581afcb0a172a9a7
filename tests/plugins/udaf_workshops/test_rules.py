"""What the plugin refuses, and the moves it allows: bad input (coded, naming the field,
nothing written), another pole's partner and family (NOT_FOUND naming the field, as core
answers), the workshop's transitions, capacity and the waiting list, attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.plugins.udaf_workshops.operations import (
    ARRAS,
    ATTEND,
    CONVENTIONS,
    PLAN,
    RECORD_CONVENTION,
    REGISTER,
    WITHDRAW,
    YEAR,
    change,
    convention,
    convention_input,
    error,
    families,
    ok,
    partner,
    payload,
    plan,
    register,
    workshop_input,
)


async def _pole(make_tenant: Any, enable_plugin: Any, departement: str = "63") -> Any:
    tenant = await make_tenant(departement)
    await enable_plugin(tenant, "udaf_workshops")
    return tenant


async def _listed(graphql: Any, tenant: Any) -> list[dict[str, Any]]:
    found = await graphql.execute(CONVENTIONS, {"year": None}, tenant=tenant)
    return payload(found, "udafWorkshops")["conventions"]


async def test_another_poles_partner_and_family_are_not_found_naming_the_field(
    make_tenant, enable_plugin, graphql
):
    mine, other = await _pole(make_tenant, enable_plugin), await make_tenant("62")
    theirs = await partner(graphql, other)
    result = await graphql.execute(
        RECORD_CONVENTION, {"input": convention_input(theirs["id"])}, tenant=mine
    )
    assert error(result, "udafWorkshopsRecordConvention") == ("NOT_FOUND", "input.partnerId")
    assert await _listed(graphql, mine) == []

    held = await convention(graphql, mine)
    workshop = await plan(graphql, mine, held["id"])
    their_family = (await families(graphql, other))[0]
    result = await graphql.execute(
        REGISTER,
        {"input": {"workshopId": workshop["id"], "familyId": their_family["id"]}},
        tenant=mine,
    )
    assert error(result, "udafWorkshopsRegister") == ("NOT_FOUND", "input.familyId")
    for junk in ("pas-un-id", "RmFtaWx5OjEyMw=="):
        result = await graphql.execute(
            REGISTER, {"input": {"workshopId": workshop["id"], "familyId": junk}}, tenant=mine
        )
        assert error(result, "udafWorkshopsRegister") == ("NOT_FOUND", "input.familyId")
    # The other pole sees none of it, and cannot reach the workshop by its id.
    await enable_plugin(other, "udaf_workshops")
    assert await _listed(graphql, other) == []
    result = await graphql.execute(
        REGISTER,
        {"input": {"workshopId": workshop["id"], "familyId": their_family["id"]}},
        tenant=other,
    )
    assert error(result, "udafWorkshopsRegister") == ("NOT_FOUND", "input.workshopId")
    listed = await _listed(graphql, mine)
    assert listed[0]["workshops"][0]["registrations"] == []


@pytest.mark.parametrize(
    ("change_", "code", "field"),
    [
        ({"year": 1999}, "VALIDATION", "input.year"),
        ({"workshopsPlanned": 0}, "VALIDATION", "input.workshopsPlanned"),
        ({"territory": "  "}, "VALIDATION", "input.territory"),
        ({"territory": "x" * 201}, "VALIDATION", "input.territory"),
        ({"fundingAmount": "-1"}, "VALIDATION", "input.fundingAmount"),
        ({"status": "signee"}, "VALIDATION", "input.status"),
        ({"partnerId": "pas-un-id"}, "NOT_FOUND", "input.partnerId"),
    ],
)
async def test_a_bad_convention_names_the_field_and_writes_nothing(
    make_tenant, enable_plugin, graphql, change_, code, field
):
    tenant = await _pole(make_tenant, enable_plugin)
    found = await partner(graphql, tenant)
    result = await graphql.execute(
        RECORD_CONVENTION, {"input": convention_input(found["id"], **change_)}, tenant=tenant
    )
    assert error(result, "udafWorkshopsRecordConvention") == (code, field)
    assert await _listed(graphql, tenant) == []


async def test_one_convention_per_partner_and_year(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin)
    await convention(graphql, tenant)
    found = await partner(graphql, tenant)
    again = await graphql.execute(
        RECORD_CONVENTION, {"input": convention_input(found["id"])}, tenant=tenant
    )
    assert error(again, "udafWorkshopsRecordConvention") == ("CONFLICT", "input.year")


@pytest.mark.parametrize(
    ("change_", "code", "field"),
    [
        ({"heldOn": f"{YEAR + 1}-01-10"}, "VALIDATION", "input.heldOn"),
        ({"endTime": "09:00"}, "VALIDATION", "input.endTime"),
        ({"startTime": "neuf heures"}, "VALIDATION", "input.startTime"),
        ({"communeInsee": "00000"}, "VALIDATION", "input.communeInsee"),
        ({"communeInsee": ARRAS}, "VALIDATION", "input.communeInsee"),
        ({"theme": ""}, "VALIDATION", "input.theme"),
        ({"capacity": 0}, "VALIDATION", "input.capacity"),
        ({"minimumParticipants": 5}, "VALIDATION", "input.minimumParticipants"),
        ({"udafFacilitators": ["Hélène", " "]}, "VALIDATION", "input.udafFacilitators.1"),
        ({"staffFacilitatorIds": ["pas-un-id"]}, "NOT_FOUND", "input.staffFacilitatorIds.0"),
        ({"conventionId": "pas-un-id"}, "NOT_FOUND", "input.conventionId"),
    ],
)
async def test_a_bad_workshop_names_the_field_and_writes_nothing(
    make_tenant, enable_plugin, graphql, change_, code, field
):
    tenant = await _pole(make_tenant, enable_plugin)
    held = await convention(graphql, tenant)
    result = await graphql.execute(
        PLAN, {"input": workshop_input(held["id"], **change_)}, tenant=tenant
    )
    assert error(result, "udafWorkshopsPlanWorkshop") == (code, field)
    assert (await _listed(graphql, tenant))[0]["workshops"] == []


async def test_no_more_workshops_than_the_convention_plans_unless_one_is_cancelled(
    make_tenant, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    held = await convention(graphql, tenant, workshopsPlanned=2)
    first = await plan(graphql, tenant, held["id"])
    await plan(graphql, tenant, held["id"], heldOn=f"{YEAR}-04-11")
    result = await graphql.execute(
        PLAN, {"input": workshop_input(held["id"], heldOn=f"{YEAR}-05-16")}, tenant=tenant
    )
    assert error(result, "udafWorkshopsPlanWorkshop") == ("CONFLICT", "input.conventionId")
    ok(
        await change(graphql, tenant, first["id"], "cancelled", reason="facilitator_unavailable"),
        "udafWorkshopsChangeStatus",
    )
    # A cancelled workshop may be replaced by another date.
    await plan(graphql, tenant, held["id"], heldOn=f"{YEAR}-05-16")


async def test_transitions_are_enforced_with_coded_errors(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin)
    today = dt.date.today()
    soon = today + dt.timedelta(days=3)
    held = await convention(graphql, tenant, year=soon.year)
    workshop = await plan(graphql, tenant, held["id"], heldOn=soon.isoformat())
    field = "udafWorkshopsChangeStatus"

    def refused(to: str, **kw: Any) -> Any:
        return change(graphql, tenant, workshop["id"], to, **kw)

    # planned → held skips confirmation; below the minimum, no confirmation either.
    assert error(await refused("held"), field) == ("CONFLICT", "input.status")
    assert error(await refused("confirmed"), field) == ("CONFLICT", "input.status")
    assert error(await refused("planned"), field) == ("CONFLICT", "input.status")
    assert error(await refused("tenu"), field) == ("VALIDATION", "input.status")
    assert error(await refused("cancelled"), field) == ("VALIDATION", "input.reason")
    assert error(await refused("cancelled", reason="pluie"), field) == (
        "VALIDATION",
        "input.reason",
    )
    assert error(await refused("cancelled", reason="other"), field) == ("VALIDATION", "input.note")
    assert error(await refused("confirmed", reason="other"), field) == (
        "VALIDATION",
        "input.reason",
    )

    listed = await families(graphql, tenant)
    for family in listed[:2]:
        await register(graphql, tenant, workshop["id"], familyId=family["id"])
    confirmed = ok(await refused("confirmed"), field)
    assert confirmed["workshop"]["status"] == {"value": "confirmed"}
    # Not held before its date.
    assert error(await refused("held"), field) == ("CONFLICT", "input.status")
    cancelled = ok(await refused("cancelled", reason="too_few_participants"), field)
    assert cancelled["workshop"]["cancelReason"] == {
        "value": "too_few_participants",
        "label": "Faute de participants",
    }
    # Cancelled is final, and takes no registration.
    for to in ("planned", "confirmed", "held", "cancelled"):
        answer = await refused(to, reason="other", note="x") if to == "cancelled" else None
        answer = answer or await refused(to)
        assert error(answer, field) == ("CONFLICT", "input.status")
    result = await graphql.execute(
        REGISTER,
        {"input": {"workshopId": workshop["id"], "familyId": listed[3]["id"]}},
        tenant=tenant,
    )
    assert error(result, "udafWorkshopsRegister") == ("CONFLICT", "input.workshopId")

    yesterday = today - dt.timedelta(days=1)
    if yesterday.year == soon.year:
        past = await plan(graphql, tenant, held["id"], heldOn=yesterday.isoformat())
        result = await graphql.execute(
            REGISTER,
            {"input": {"workshopId": past["id"], "familyId": listed[0]["id"]}},
            tenant=tenant,
        )
        assert error(result, "udafWorkshopsRegister") == ("CONFLICT", "input.workshopId")


async def test_over_capacity_goes_to_the_waiting_list_which_moves_up(
    make_tenant, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    held = await convention(graphql, tenant)
    workshop = await plan(graphql, tenant, held["id"], capacity=3, minimumParticipants=2)
    listed = await families(graphql, tenant)
    couple = await register(graphql, tenant, workshop["id"], familyId=listed[0]["id"], seats=2)
    single = await register(graphql, tenant, workshop["id"], familyId=listed[1]["id"])
    assert single["workshop"] == {"registered": 3, "waiting": 0}
    late = await register(graphql, tenant, workshop["id"], familyId=listed[2]["id"])
    assert late["registration"]["status"] == {"value": "waiting"}
    parent = await register(
        graphql,
        tenant,
        workshop["id"],
        parent={
            "firstName": "Aurélie",
            "lastName": "Combronde",
            "email": "aurelie@exemple.example",
            "consent": True,
        },
    )
    assert parent["registration"]["status"] == {"value": "waiting"}
    assert parent["workshop"] == {"registered": 3, "waiting": 2}
    # The same family twice: refused, nothing written.
    result = await graphql.execute(
        REGISTER,
        {"input": {"workshopId": workshop["id"], "familyId": listed[1]["id"]}},
        tenant=tenant,
    )
    assert error(result, "udafWorkshopsRegister") == ("CONFLICT", "input.familyId")

    moved = ok(
        await graphql.execute(WITHDRAW, {"id": couple["registration"]["id"]}, tenant=tenant),
        "udafWorkshopsWithdraw",
    )
    # Two seats freed: both waiting registrations come in, in arrival order.
    assert moved["workshop"]["registered"] == 3 and moved["workshop"]["waiting"] == 0
    statuses = [r["status"]["value"] for r in moved["workshop"]["registrations"]]
    assert statuses == ["registered", "registered", "registered", "withdrawn"]


@pytest.mark.parametrize(
    ("parent", "field"),
    [
        ({"firstName": "", "lastName": "Combronde", "email": "a@b.fr"}, "input.parent.firstName"),
        ({"firstName": "Aurélie", "lastName": "Combronde"}, "input.parent.email"),
        (
            {"firstName": "Aurélie", "lastName": "Combronde", "email": "pas une adresse"},
            "input.parent.email",
        ),
        (
            {"firstName": "Aurélie", "lastName": "Combronde", "email": "a@b.fr", "consent": False},
            "input.parent.consent",
        ),
    ],
)
async def test_a_new_parent_needs_a_name_a_contact_and_consent(
    make_tenant, enable_plugin, graphql, parent, field
):
    tenant = await _pole(make_tenant, enable_plugin)
    held = await convention(graphql, tenant)
    workshop = await plan(graphql, tenant, held["id"])
    given = {"consent": True, **parent}
    result = await graphql.execute(
        REGISTER, {"input": {"workshopId": workshop["id"], "parent": given}}, tenant=tenant
    )
    assert error(result, "udafWorkshopsRegister") == ("VALIDATION", field)
    found = await graphql.execute("{ udafWorkshops { parents { id } } }", tenant=tenant)
    assert payload(found, "udafWorkshops")["parents"] == []


async def test_attendance_is_for_a_held_workshop_and_never_above_registrations(
    make_tenant, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    held = await convention(graphql, tenant, year=dt.date.today().year)
    workshop = await plan(graphql, tenant, held["id"], heldOn=dt.date.today().isoformat())
    listed = await families(graphql, tenant)
    one = await register(graphql, tenant, workshop["id"], familyId=listed[0]["id"], seats=2)
    two = await register(graphql, tenant, workshop["id"], familyId=listed[1]["id"])

    def attend(*lines: tuple[str, int]) -> Any:
        variables = {
            "workshopId": workshop["id"],
            "lines": [{"registrationId": r, "present": n} for r, n in lines],
        }
        return graphql.execute(ATTEND, {"input": variables}, tenant=tenant)

    field = "udafWorkshopsRecordAttendance"
    one_id, two_id = one["registration"]["id"], two["registration"]["id"]
    assert error(await attend((one_id, 2)), field) == ("CONFLICT", "input.workshopId")
    ok(await change(graphql, tenant, workshop["id"], "confirmed"), "udafWorkshopsChangeStatus")
    ok(await change(graphql, tenant, workshop["id"], "held"), "udafWorkshopsChangeStatus")
    # Above what was registered; a registration of another workshop; nothing half-written.
    assert error(await attend((one_id, 2), (two_id, 2)), field) == (
        "VALIDATION",
        "input.lines.1.present",
    )
    other = await plan(graphql, tenant, held["id"], heldOn=dt.date.today().isoformat())
    theirs = await register(graphql, tenant, other["id"], familyId=listed[2]["id"])
    assert error(await attend((one_id, 1), (theirs["registration"]["id"], 1)), field) == (
        "NOT_FOUND",
        "input.lines.1.registrationId",
    )
    assert error(await attend((one_id, -1)), field) == ("VALIDATION", "input.lines.0.present")
    listed_now = await _listed(graphql, tenant)
    assert listed_now[0]["workshops"][0]["present"] == 0
    done = ok(await attend((one_id, 2), (two_id, 0)), field)
    assert done["workshop"] == {"present": 2, "attendanceRecorded": True}
