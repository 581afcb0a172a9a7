"""What handisitting refuses: bad input (a coded error naming the field, nothing
written), another pole's rows (NOT_FOUND on the field, as core answers), proposals
that break the rules, bookings that clash."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from core import sdk
from core.api.pages import plain_id
from plugins.handisitting import bookings, matching
from plugins.handisitting.models import Request
from tests.plugins.handisitting.operations import (
    ADD_DOCUMENT,
    AGREE,
    ANSWER,
    APPLY,
    MEET,
    PROPOSE,
    RECORD_REQUEST,
    VET,
    approved_sitter,
    booked,
    data,
    error_of,
    families,
    ok,
    request_for,
    sitter_input,
    today,
)

SITTERS = "{ handisitting { sitters { totalCount } } }"


async def _pole(make_tenant: Any, enable_plugin: Any, departement: str = "62") -> Any:
    tenant = await make_tenant(departement, core_demo=True)
    await enable_plugin(tenant, "handisitting")
    return tenant


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"firstName": " "}, "VALIDATION", "input.firstName"),
        ({"email": "pas-une-adresse"}, "VALIDATION", "input.email"),
        ({"communeInsee": "00000"}, "VALIDATION", "input.communeInsee"),
        ({"communeInsee": "63113"}, "VALIDATION", "input.communeInsee"),  # not the pole's
        ({"travelKm": 500}, "VALIDATION", "input.travelKm"),
        ({"background": "etudes"}, "VALIDATION", "input.background"),
        ({"skills": ["autism", "telepathy"]}, "VALIDATION", "input.skills"),
        (
            {"availability": [{"weekday": 2, "startsAt": "18:00", "endsAt": "14:00"}]},
            "VALIDATION",
            "input.availability.0.endsAt",
        ),
        (
            {"availability": [{"weekday": 2, "startsAt": "25:00", "endsAt": "26:00"}]},
            "VALIDATION",
            "input.availability.0.startsAt",
        ),
    ],
)
async def test_an_application_with_bad_input_names_the_field_and_writes_nothing(
    make_tenant: Any, enable_plugin: Any, graphql: Any, change: dict, code: str, field: str
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    result = await graphql.execute(APPLY, {"input": sitter_input("62119", **change)}, tenant=tenant)
    assert error_of(result, "handisittingApply") == (code, field)
    assert data(await graphql.execute(SITTERS, tenant=tenant), "handisitting", "sitters") == {
        "totalCount": 0
    }


@pytest.mark.parametrize(
    ("content", "field_message"),
    [
        (base64.b64encode(b"MZ\x90\x00 not a document").decode(), "type de fichier"),
        (base64.b64encode(b"%PDF-" + b"0" * (700 * 1024)).decode(), "trop gros"),
        ("@@@ pas du base64", "base64"),
    ],
)
async def test_a_document_of_the_wrong_type_or_too_big_is_refused(
    make_tenant: Any, enable_plugin: Any, graphql: Any, content: str, field_message: str
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    sitter = ok(
        await graphql.execute(APPLY, {"input": sitter_input("62119")}, tenant=tenant),
        "handisittingApply",
    )["sitter"]
    result = await graphql.execute(
        ADD_DOCUMENT,
        {
            "input": {
                "sitterId": sitter["id"],
                "kind": "identity",
                "filename": "piece.pdf",
                "contentBase64": content,
                "issuedOn": "2026-01-02",
            }
        },
        tenant=tenant,
    )
    errors = data(result, "handisittingAddDocument")["errors"]
    assert (errors[0]["code"], errors[0]["field"]) == ("VALIDATION", "input.contentBase64")
    assert field_message in errors[0]["message"]


async def test_approval_needs_checked_documents_and_an_expired_one_suspends_proposals(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    sitter = ok(
        await graphql.execute(APPLY, {"input": sitter_input("62119")}, tenant=tenant),
        "handisittingApply",
    )["sitter"]
    ok(
        await graphql.execute(
            VET,
            {"input": {"sitterId": sitter["id"], "status": "interview", "reason": "Vu"}},
            tenant=tenant,
        ),
        "handisittingVet",
    )
    skipped = await graphql.execute(
        VET,
        {"input": {"sitterId": sitter["id"], "status": "approved", "reason": "Vite"}},
        tenant=tenant,
    )
    assert error_of(skipped, "handisittingVet") == ("CONFLICT", "input.status")
    no_documents = await graphql.execute(
        VET,
        {"input": {"sitterId": sitter["id"], "status": "documents_checked", "reason": "Vu"}},
        tenant=tenant,
    )
    assert error_of(no_documents, "handisittingVet") == ("VALIDATION", "input.status")

    # Once her criminal-record extract expires (it was valid for 300 days), an approved
    # sitter leaves the ranking and a proposal to her is refused, naming the field.
    family = (await families(graphql, tenant))[0]
    approved = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"], tag="b")
    request = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=7))
    later = today() + dt.timedelta(days=301)
    async with maillage_db.session(tenant.id) as session:
        row = await session.scalar(select(Request))
        assert [c.sitter.last_name for c in await matching.rank(session, row, today=today())] == [
            "Verdonck"
        ]
        assert await matching.rank(session, row, today=later) == []
        with pytest.raises(sdk.ValidationError) as refused:
            await bookings.propose(
                session,
                request_id=row.id,
                sitter_id=uuid.UUID(plain_id(approved["id"])),
                confirm_warnings=True,
                today=later,
                actor="test",
            )
    assert refused.value.field == "input.sitterId"
    assert "expiré" in refused.value.message
    assert request


async def test_a_skill_not_covered_is_a_warning_to_confirm_not_silence(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    request = await request_for(
        graphql, tenant, family, first_on=today() + dt.timedelta(days=3), skills=["autism", "lsf"]
    )
    asked = {"requestId": request["id"], "sitterId": sitter["id"]}
    warned = await graphql.execute(PROPOSE, {"input": asked}, tenant=tenant)
    assert error_of(warned, "handisittingPropose") == ("VALIDATION", "input.confirmWarnings")
    assert "Langue des signes" in data(warned, "handisittingPropose")["errors"][0]["message"]
    proposal = ok(
        await graphql.execute(
            PROPOSE, {"input": {**asked, "confirmWarnings": True}}, tenant=tenant
        ),
        "handisittingPropose",
    )["proposal"]
    assert proposal["warnings"] and proposal["total"] < 100


async def test_dates_reversed_and_another_poles_child_name_the_field(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    other = await make_tenant("62", core_demo=True)
    mine, theirs = (await families(graphql, tenant))[0], (await families(graphql, other))[0]
    base = {
        "familyId": mine["id"],
        "childId": mine["children"][0]["id"],
        "needs": "Besoins",
        "firstOn": "2027-03-10",
        "startsAt": "14:00",
        "endsAt": "17:00",
    }
    cases = [
        ({"weekly": True, "lastOn": "2027-03-01"}, ("VALIDATION", "input.lastOn")),
        ({"startsAt": "17:00", "endsAt": "14:00"}, ("VALIDATION", "input.endsAt")),
        ({"childId": theirs["children"][0]["id"]}, ("NOT_FOUND", "input.childId")),
        (
            {"familyId": theirs["id"], "childId": theirs["children"][0]["id"]},
            ("NOT_FOUND", "input.familyId"),
        ),
    ]
    for change, expected in cases:
        result = await graphql.execute(RECORD_REQUEST, {"input": {**base, **change}}, tenant=tenant)
        assert error_of(result, "handisittingRecordRequest") == expected, change
    listed = await graphql.execute("{ handisitting { requests { totalCount } } }", tenant=tenant)
    assert data(listed, "handisitting", "requests") == {"totalCount": 0}


async def test_a_booking_that_overlaps_or_falls_outside_availability_is_refused_whole(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    wednesdays = [{"weekday": 2, "startsAt": "13:00", "endsAt": "19:00"}]
    sitter = await approved_sitter(
        graphql, tenant, family["commune"]["inseeCode"], availability=wednesdays
    )
    next_wednesday = today() + dt.timedelta(days=(2 - today().weekday()) % 7 or 7)
    first = await request_for(graphql, tenant, family, first_on=next_wednesday, weeks=2)
    await booked(graphql, tenant, first, sitter, agreed_on=today())

    async def met(request: dict) -> str:
        proposal = ok(
            await graphql.execute(
                PROPOSE,
                {
                    "input": {
                        "requestId": request["id"],
                        "sitterId": sitter["id"],
                        "confirmWarnings": True,
                    }
                },
                tenant=tenant,
            ),
            "handisittingPropose",
        )["proposal"]["id"]
        ok(
            await graphql.execute(
                ANSWER, {"input": {"proposalId": proposal, "accept": True}}, tenant=tenant
            ),
            "handisittingAnswerProposal",
        )
        ok(
            await graphql.execute(
                MEET,
                {"input": {"proposalId": proposal, "metOn": today().isoformat()}},
                tenant=tenant,
            ),
            "handisittingRecordMeeting",
        )
        return proposal

    # The same Wednesday afternoon again, for another request: overlaps.
    clash = await request_for(
        graphql,
        tenant,
        family,
        first_on=next_wednesday + dt.timedelta(weeks=1),
        startsAt="16:00",
        endsAt="18:00",
    )
    refused = await graphql.execute(
        AGREE,
        {"input": {"proposalId": await met(clash), "agreedOn": today().isoformat()}},
        tenant=tenant,
    )
    assert error_of(refused, "handisittingAgree") == ("CONFLICT", "input.proposalId")
    # A Thursday: outside her weekly slots.
    thursday = await request_for(
        graphql, tenant, family, first_on=next_wednesday + dt.timedelta(days=1)
    )
    outside = await graphql.execute(
        AGREE,
        {"input": {"proposalId": await met(thursday), "agreedOn": today().isoformat()}},
        tenant=tenant,
    )
    assert error_of(outside, "handisittingAgree") == ("VALIDATION", "input.proposalId")
    requests = await graphql.execute(
        "{ handisitting { requests { edges { node { status { value } bookings { id } } } } } }",
        tenant=tenant,
    )
    booked_count = [
        e["node"]
        for e in data(requests, "handisitting", "requests", "edges")
        if e["node"]["bookings"]
    ]
    assert len(booked_count) == 1  # nothing half-written by the refused agreements


async def test_documents_to_renew_are_listed_for_the_staff(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    sitter = await approved_sitter(graphql, tenant, "62119")
    ok(
        await graphql.execute(
            ADD_DOCUMENT,
            {
                "input": {
                    "sitterId": sitter["id"],
                    "kind": "first_aid",
                    "issuedOn": (today() - dt.timedelta(days=700)).isoformat(),
                    "expiresOn": (today() + dt.timedelta(days=10)).isoformat(),
                }
            },
            tenant=tenant,
        ),
        "handisittingAddDocument",
    )
    query = """{ handisitting { renewals { sitter { lastName }
      document { kind { value } expired filename downloadPath } } } }"""
    renewals = data(await graphql.execute(query, tenant=tenant), "handisitting", "renewals")
    assert renewals == [
        {
            "sitter": {"lastName": "Verdonck"},
            "document": {
                "kind": {"value": "first_aid"},
                "expired": False,
                "filename": "original vu au pôle (pas de copie conservée)",
                "downloadPath": None,
            },
        }
    ]


AWAY = """mutation($input: HandisittingAddUnavailabilityInput!) {
  handisittingAddUnavailability(input: $input) {
  sitter { unavailabilities { id startsOn } } errors { code field message } } }"""
BACK = """mutation($id: ID!) { handisittingRemoveUnavailability(unavailabilityId: $id) {
  sitter { unavailabilities { id } } errors { code field message } } }"""


async def test_an_absence_is_withdrawn_by_its_pole_only(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    other = await _pole(make_tenant, enable_plugin)
    sitter = ok(
        await graphql.execute(APPLY, {"input": sitter_input("62119")}, tenant=tenant),
        "handisittingApply",
    )["sitter"]
    exams = {"sitterId": sitter["id"], "startsOn": "2027-01-04", "endsOn": "2027-01-08"}
    [away] = ok(
        await graphql.execute(AWAY, {"input": exams}, tenant=tenant),
        "handisittingAddUnavailability",
    )["sitter"]["unavailabilities"]
    for wrong in (away["id"], sitter["id"], "pas-un-id"):
        result = await graphql.execute(BACK, {"id": wrong}, tenant=other)
        assert error_of(result, "handisittingRemoveUnavailability") == (
            "NOT_FOUND",
            "unavailabilityId",
        ), wrong
    removed = ok(
        await graphql.execute(BACK, {"id": away["id"]}, tenant=tenant),
        "handisittingRemoveUnavailability",
    )
    assert removed["sitter"]["unavailabilities"] == []
    again = await graphql.execute(BACK, {"id": away["id"]}, tenant=tenant)
    assert error_of(again, "handisittingRemoveUnavailability") == ("NOT_FOUND", "unavailabilityId")


SITTER_FILE = """query($id: ID!) { node(id: $id) { ... on HandisittingSitter {
  blocking documentWarnings } } }"""
CANDIDATE_WARNINGS = """query($r: ID!) { handisitting { candidates(requestId: $r) {
  sitter { id } warnings } } }"""


async def test_an_expired_optional_document_warns_and_does_not_block(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    for kind in ("first_aid", "diploma"):
        ok(
            await graphql.execute(
                ADD_DOCUMENT,
                {
                    "input": {
                        "sitterId": sitter["id"],
                        "kind": kind,
                        "issuedOn": (today() - dt.timedelta(days=400)).isoformat(),
                        "expiresOn": (today() - dt.timedelta(days=5)).isoformat(),
                    }
                },
                tenant=tenant,
            ),
            "handisittingAddDocument",
        )
    shown = data(await graphql.execute(SITTER_FILE, {"id": sitter["id"]}, tenant=tenant), "node")
    assert shown["blocking"] == []
    assert [w.split(" expiré")[0] for w in shown["documentWarnings"]] == [
        "Attestation de premiers secours",
        "Diplôme ou certificat de scolarité",
    ]
    request = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=7))
    [candidate] = data(
        await graphql.execute(CANDIDATE_WARNINGS, {"r": request["id"]}, tenant=tenant),
        "handisitting",
        "candidates",
    )
    assert candidate["sitter"]["id"] == sitter["id"]
    assert any("Attestation de premiers secours expiré" in w for w in candidate["warnings"])
    asked = {"requestId": request["id"], "sitterId": sitter["id"]}
    warned = await graphql.execute(PROPOSE, {"input": asked}, tenant=tenant)
    assert error_of(warned, "handisittingPropose") == ("VALIDATION", "input.confirmWarnings")
    ok(
        await graphql.execute(
            PROPOSE, {"input": {**asked, "confirmWarnings": True}}, tenant=tenant
        ),
        "handisittingPropose",
    )


async def _met(graphql: Any, tenant: Any, request: dict[str, Any], sitter: dict[str, Any]) -> str:
    """A proposal accepted and met, waiting for the family's agreement."""
    proposal = ok(
        await graphql.execute(
            PROPOSE,
            {
                "input": {
                    "requestId": request["id"],
                    "sitterId": sitter["id"],
                    "confirmWarnings": True,
                }
            },
            tenant=tenant,
        ),
        "handisittingPropose",
    )["proposal"]["id"]
    ok(
        await graphql.execute(
            ANSWER, {"input": {"proposalId": proposal, "accept": True}}, tenant=tenant
        ),
        "handisittingAnswerProposal",
    )
    ok(
        await graphql.execute(
            MEET, {"input": {"proposalId": proposal, "metOn": today().isoformat()}}, tenant=tenant
        ),
        "handisittingRecordMeeting",
    )
    return str(proposal)


async def test_a_suspended_sitter_is_neither_proposed_nor_booked(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    request = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=7))
    proposal = await _met(graphql, tenant, request, sitter)
    ok(
        await graphql.execute(
            VET,
            {"input": {"sitterId": sitter["id"], "status": "suspended", "reason": "Plainte"}},
            tenant=tenant,
        ),
        "handisittingVet",
    )
    # Suspended after the meeting: the family's agreement is refused, nothing written.
    agreed = await graphql.execute(
        AGREE,
        {"input": {"proposalId": proposal, "agreedOn": today().isoformat()}},
        tenant=tenant,
    )
    assert error_of(agreed, "handisittingAgree") == ("VALIDATION", "input.proposalId")
    assert "Suspendu·e" in data(agreed, "handisittingAgree")["errors"][0]["message"]
    requests = "{ handisitting { requests { edges { node { status { value } } } } } }"
    listed = data(await graphql.execute(requests, tenant=tenant), "handisitting", "requests")
    assert [e["node"]["status"]["value"] for e in listed["edges"]] == ["open"]
    # And a new proposal to her is refused, naming the sitter.
    other = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=30))
    proposed = await graphql.execute(
        PROPOSE,
        {"input": {"requestId": other["id"], "sitterId": sitter["id"], "confirmWarnings": True}},
        tenant=tenant,
    )
    assert error_of(proposed, "handisittingPropose") == ("VALIDATION", "input.sitterId")
    assert "Suspendu·e" in data(proposed, "handisittingPropose")["errors"][0]["message"]


async def test_agreement_refuses_a_sitter_whose_extract_expired_since_the_proposal(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    request = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=310))
    proposal = await _met(graphql, tenant, request, sitter)
    # The documents the helper gives expire in 300 days: agreed on day 305, refused.
    later = today() + dt.timedelta(days=305)
    async with maillage_db.session(tenant.id) as session:
        with pytest.raises(sdk.ValidationError) as refused:
            await bookings.agree(
                session,
                proposal_id=uuid.UUID(plain_id(proposal)),
                agreed_on=later,
                share_days_after=7,
                today=later,
                actor="test",
            )
    assert refused.value.field == "input.proposalId"
    assert "Extrait de casier judiciaire (bulletin n° 3) expiré(e)" in refused.value.message


CANCEL_SITTING = """mutation($input: HandisittingRecordSittingInput!) {
  handisittingRecordSitting(input: $input) {
  sitting { id status { value } cancelledBy { value label } cancelReason }
  errors { code field message } } }"""


async def test_a_single_sitting_cancelled_says_who_and_why(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    request = await request_for(
        graphql, tenant, family, first_on=today() + dt.timedelta(days=7), weeks=2
    )
    booking = await booked(graphql, tenant, request, sitter, agreed_on=today())
    first, *others = booking["sittings"]
    for given, field in (
        ({"reason": "Hospitalisation"}, "input.by"),
        ({"by": "voisin", "reason": "Hospitalisation"}, "input.by"),
        ({"by": "family", "reason": "  "}, "input.reason"),
    ):
        refused = await graphql.execute(
            CANCEL_SITTING,
            {"input": {"sittingId": first["id"], "status": "cancelled", **given}},
            tenant=tenant,
        )
        assert error_of(refused, "handisittingRecordSitting") == ("VALIDATION", field), given
    cancelled = ok(
        await graphql.execute(
            CANCEL_SITTING,
            {
                "input": {
                    "sittingId": first["id"],
                    "status": "cancelled",
                    "by": "family",
                    "reason": "Hospitalisation de l'enfant",
                }
            },
            tenant=tenant,
        ),
        "handisittingRecordSitting",
    )["sitting"]
    assert cancelled["status"]["value"] == "cancelled"
    assert cancelled["cancelledBy"] == {"value": "family", "label": "La famille"}
    assert cancelled["cancelReason"] == "Hospitalisation de l'enfant"
    # The booking and its other sittings go on.
    assert len(others) == 2
    again = await graphql.execute(
        CANCEL_SITTING,
        {"input": {"sittingId": others[0]["id"], "status": "done"}},
        tenant=tenant,
    )
    assert error_of(again, "handisittingRecordSitting") == ("VALIDATION", "input.status")
