"""The whole path over real HTTP — a sitter vetted with her documents, matched, met,
booked, reading the needs sheet, the sitting done, feedback from both sides — and the
sharing rule: the needs sheet only under an agreed booking, only for its sitter, only
while the family consents and until a few days after the last sitting, each read
audited; otherwise NOT_FOUND, as if the booking never existed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.testing.accounts import sign_in
from core.testing.client import error_codes
from tests.plugins.handisitting.operations import (
    CANCEL,
    FEEDBACK,
    INCIDENT,
    LINK,
    MY_BOOKINGS,
    MY_PROPOSALS,
    NEEDS,
    RECORD_CONSENT,
    SITTING,
    WITHDRAW_CONSENT,
    approved_sitter,
    booked,
    data,
    error_of,
    families,
    ok,
    request_for,
    sitter_account,
    today,
)


async def _pole(make_tenant: Any, enable_plugin: Any) -> Any:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    return tenant


async def _consent(graphql: Any, tenant: Any, family: dict[str, Any]) -> str:
    given = ok(
        await graphql.execute(
            RECORD_CONSENT, {"f": family["id"], "at": "2026-01-05T10:00:00+00:00"}, tenant=tenant
        ),
        "recordConsent",
    )
    return next(c["id"] for c in given["family"]["consents"] if c["purpose"] == "share_with_sitter")


async def _setting(graphql, tenant, make_tenant, enable_plugin):  # type: ignore[no-untyped-def]
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    actor, user_id = await sitter_account(graphql, tenant)
    ok(
        await graphql.execute(
            LINK, {"input": {"sitterId": sitter["id"], "userId": user_id}}, tenant=tenant
        ),
        "handisittingLinkAccount",
    )
    return family, sitter, actor, user_id


async def test_the_main_path_from_application_to_feedback(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family, sitter, actor, user_id = await _setting(graphql, tenant, make_tenant, enable_plugin)
    await _consent(graphql, tenant, family)
    start = today() - dt.timedelta(days=7)
    request = await request_for(graphql, tenant, family, first_on=start, weeks=3)
    booking = await booked(graphql, tenant, request, sitter, agreed_on=start - dt.timedelta(days=1))
    assert booking["status"]["value"] == "confirmed"
    assert [s["on"] for s in booking["sittings"]] == [
        (start + dt.timedelta(weeks=w)).isoformat() for w in range(4)
    ]
    assert booking["shareUntil"] == (start + dt.timedelta(weeks=3, days=7)).isoformat()
    assert booking["sittings"][0]["hours"] == 3.5

    # The sitter sees her proposal and booking, and reads the needs sheet.
    mine = data(
        await graphql.execute(MY_PROPOSALS, tenant=tenant, actor=actor),
        "handisitting",
        "myProposals",
    )
    assert [p["status"]["value"] for p in mine] == ["agreed"]
    listed = data(
        await graphql.execute(MY_BOOKINGS, tenant=tenant, actor=actor), "handisitting", "myBookings"
    )
    assert listed[0]["needsSheetOpen"] is True
    assert listed[0]["childFirstName"] == family["children"][0]["firstName"]
    sheet = data(
        await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor),
        "handisitting",
        "needsSheet",
    )
    assert sheet["needs"].startswith("Autiste")
    assert (sheet["startsAt"], sheet["endsAt"]) == ("14:00", "17:30")

    # The first sitting done; both sides leave feedback; the sitter reports an incident.
    first = booking["sittings"][0]["id"]
    ok(
        await graphql.execute(
            SITTING, {"input": {"sittingId": first, "status": "done"}}, tenant=tenant
        ),
        "handisittingRecordSitting",
    )
    ok(
        await graphql.execute(
            FEEDBACK,
            {"input": {"sittingId": first, "side": "family", "rating": 4, "comment": "Merci"}},
            tenant=tenant,
        ),
        "handisittingLeaveFeedback",
    )
    given = ok(
        await graphql.execute(
            FEEDBACK,
            {
                "input": {
                    "sittingId": first,
                    "side": "sitter",
                    "rating": 3,
                    "comment": "Goûter difficile",
                }
            },
            tenant=tenant,
            actor=actor,
        ),
        "handisittingLeaveFeedback",
    )
    assert sorted((f["side"]["value"], f["rating"]) for f in given["sitting"]["feedback"]) == [
        ("family", 4),
        ("sitter", 3),
    ]
    incident = ok(
        await graphql.execute(
            INCIDENT,
            {
                "input": {
                    "bookingId": booking["id"],
                    "by": "family",
                    "happenedOn": start.isoformat(),
                    "description": "Chute sans gravité",
                }
            },
            tenant=tenant,
            actor=actor,
        ),
        "handisittingReportIncident",
    )
    assert incident["incident"]["reportedBy"]["value"] == "sitter"  # a sitter speaks for herself

    # Every read of the needs sheet is in the audit trail.
    async with maillage_db.session(tenant.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.action == "handisitting.read_needs_sheet")
                )
            )
            .scalars()
            .all()
        )
    assert [r.actor for r in reads] == [f"user:{user_id}"]
    assert reads[0].fields == ["child.birth_date", "child.first_name", "needs"]


async def test_the_sheet_closes_on_cancel_and_on_consent_withdrawal(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family, sitter, actor, _user_id = await _setting(graphql, tenant, make_tenant, enable_plugin)
    consent = await _consent(graphql, tenant, family)
    request = await request_for(graphql, tenant, family, first_on=today(), weeks=2)
    booking = await booked(graphql, tenant, request, sitter, agreed_on=today())
    assert data(
        await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor),
        "handisitting",
        "needsSheet",
    )

    ok(await graphql.execute(WITHDRAW_CONSENT, {"id": consent}, tenant=tenant), "withdrawConsent")
    closed = await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor)
    assert error_codes(closed) == ["NOT_FOUND"]
    assert closed["errors"][0]["extensions"]["field"] == "bookingId"

    await _consent(graphql, tenant, family)
    assert data(
        await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor),
        "handisitting",
        "needsSheet",
    )
    ok(
        await graphql.execute(
            CANCEL,
            {"input": {"bookingId": booking["id"], "by": "family", "reason": "Déménagement"}},
            tenant=tenant,
        ),
        "handisittingCancelBooking",
    )
    cancelled = await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor)
    assert error_codes(cancelled) == ["NOT_FOUND"]
    listed = data(
        await graphql.execute(MY_BOOKINGS, tenant=tenant, actor=actor), "handisitting", "myBookings"
    )
    assert listed[0]["childFirstName"] is None and listed[0]["needsSheetOpen"] is False


async def test_an_expired_share_answers_as_if_it_never_existed(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family, sitter, actor, _user_id = await _setting(graphql, tenant, make_tenant, enable_plugin)
    await _consent(graphql, tenant, family)
    # One sitting ten days ago: the sheet stayed open seven days after it.
    past = today() - dt.timedelta(days=10)
    request = await request_for(graphql, tenant, family, first_on=past)
    booking = await booked(graphql, tenant, request, sitter, agreed_on=past - dt.timedelta(days=1))
    expired = await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor)
    never = await graphql.execute(
        NEEDS, {"b": booking["id"].replace(booking["id"][-4:], "AAAA")}, tenant=tenant, actor=actor
    )
    assert error_codes(expired) == error_codes(never) == ["NOT_FOUND"]
    assert expired["errors"][0]["message"] == never["errors"][0]["message"]


async def test_a_sitter_sees_nothing_of_other_sitters_nor_of_the_pole(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family, _sitter, actor, _user_id = await _setting(graphql, tenant, make_tenant, enable_plugin)
    await _consent(graphql, tenant, family)
    other = await approved_sitter(
        graphql, tenant, family["commune"]["inseeCode"], tag="autre", lastName="Autre"
    )
    request = await request_for(graphql, tenant, family, first_on=today())
    booking = await booked(graphql, tenant, request, other, agreed_on=today())

    # Another sitter's booking: not found, as if it never existed.
    assert error_codes(
        await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor)
    ) == ["NOT_FOUND"]
    assert (
        data(
            await graphql.execute(MY_BOOKINGS, tenant=tenant, actor=actor),
            "handisitting",
            "myBookings",
        )
        == []
    )
    # Nor may she answer, rate or report on another sitter's rows.
    sitting = booking["sittings"][0]["id"]
    refused = await graphql.execute(
        FEEDBACK,
        {"input": {"sittingId": sitting, "side": "sitter", "rating": 1}},
        tenant=tenant,
        actor=actor,
    )
    assert data(refused, "handisittingLeaveFeedback")["errors"][0]["code"] == "NOT_FOUND"
    # The staff's lists and core's data are closed to the role.
    for query in (
        "{ handisitting { sitters { totalCount } } }",
        "{ handisitting { requests { totalCount } } }",
        "{ families(first: 5) { totalCount } }",
    ):
        assert error_codes(await graphql.execute(query, tenant=tenant, actor=actor)) == [
            "FORBIDDEN"
        ], query


ACCOUNTS = "{ handisitting { sitterAccounts { value label } } }"


async def test_only_a_free_account_with_the_sitter_role_is_linked(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    """Staff see the sitter accounts no sitter holds yet; a member of the team cannot be
    linked (VALIDATION naming the field), nor an account another sitter holds."""
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    other = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"], tag="b")
    _, user_id = await sitter_account(graphql, tenant)
    staff = Actor(
        subject=f"test:staff-{id(tenant)}", display_name="Équipe", roles=frozenset({"staff"})
    )
    _, staff_id = await sign_in(graphql.app.state.auth, staff, tenant)

    offered = data(await graphql.execute(ACCOUNTS, tenant=tenant), "handisitting")
    assert [a["value"] for a in offered["sitterAccounts"]] == [user_id]

    def link(sitter_id: str, account: str) -> Any:
        return graphql.execute(
            LINK, {"input": {"sitterId": sitter_id, "userId": account}}, tenant=tenant
        )

    assert error_of(await link(sitter["id"], str(staff_id)), "handisittingLinkAccount") == (
        "VALIDATION",
        "input.userId",
    )
    ok(await link(sitter["id"], user_id), "handisittingLinkAccount")
    assert error_of(await link(other["id"], user_id), "handisittingLinkAccount") == (
        "CONFLICT",
        "input.userId",
    )
    offered = data(await graphql.execute(ACCOUNTS, tenant=tenant), "handisitting")
    assert offered["sitterAccounts"] == []


NODE = """query($id: ID!) { node(id: $id) { id ... on Family { name }
  ... on Child { firstName } } }"""


async def test_a_sitter_reads_no_family_nor_child_by_node_even_her_own_bookings(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family, sitter, actor, _user_id = await _setting(graphql, tenant, make_tenant, enable_plugin)
    await _consent(graphql, tenant, family)
    request = await request_for(graphql, tenant, family, first_on=today())
    booking = await booked(graphql, tenant, request, sitter, agreed_on=today())
    # Her sheet is open: she reads it, and still nothing of core's records.
    assert data(
        await graphql.execute(NEEDS, {"b": booking["id"]}, tenant=tenant, actor=actor),
        "handisitting",
        "needsSheet",
    )
    # Null, exactly as an id that never existed: nothing tells her the record is there.
    for node_id in (family["id"], family["children"][0]["id"]):
        found = await graphql.execute(NODE, {"id": node_id}, tenant=tenant, actor=actor)
        never = await graphql.execute(
            NODE, {"id": node_id[:-6] + "AAAA=="}, tenant=tenant, actor=actor
        )
        assert found == never == {"data": {"node": None}}, node_id
