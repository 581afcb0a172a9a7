"""Personal data: a family's requests and bookings go with its export and erasure;
a sitter's data is exported whole and erased (the hours stay, without a name); the
retention purge erases sitters idle beyond it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from plugins.handisitting import personal_data
from plugins.handisitting.models import Incident, Proposal
from tests.plugins.handisitting.operations import (
    ANSWER,
    CANCEL,
    INCIDENT,
    PROPOSE,
    VET,
    approved_sitter,
    booked,
    data,
    error_of,
    families,
    ok,
    request_for,
    today,
)

EXPORT_FAMILY = "query($f: ID!) { familyDataExport(familyId: $f) { data } }"
ERASE_FAMILY = """mutation($f: ID!) { eraseFamilyData(input: {familyId: $f,
  receivedOn: "2026-11-03", requester: "guardian"}) {
  request { status counts } errors { code field message } } }"""
EXPORT_SITTER = """mutation($s: ID!) { handisittingExportSitter(sitterId: $s) {
  data errors { code field message } } }"""
ERASE_SITTER = """mutation($s: ID!) { handisittingEraseSitter(sitterId: $s) {
  sitter { firstName lastName email documents { size downloadPath } }
  errors { code field message } } }"""
REQUESTS = "{ handisitting { requests { totalCount } } }"
ABSENCE = """mutation($input: HandisittingAddUnavailabilityInput!) {
  handisittingAddUnavailability(input: $input) { errors { code field message } } }"""


async def test_family_and_sitter_data_are_exported_and_erased(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    dpo = make_actor("coordinator", grants=["gdpr.manage"])
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    # Two sittings past: nothing ahead for a family to count on (decision 205).
    past = today() - dt.timedelta(days=14)
    request = await request_for(graphql, tenant, family, first_on=past, weeks=1)
    await booked(graphql, tenant, request, sitter, agreed_on=past - dt.timedelta(days=1))

    exported = str(
        data(
            await graphql.execute(EXPORT_FAMILY, {"f": family["id"]}, tenant=tenant, actor=dpo),
            "familyDataExport",
        )
    )
    assert "Autiste, emploi du temps visuel" in exported and "Garde convenue" in exported

    sitter_data = ok(
        await graphql.execute(EXPORT_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingExportSitter",
    )["data"]
    assert sitter_data["Identité"]["Nom"] == "Verdonck"
    assert len(sitter_data["Gardes"]) == 2 and len(sitter_data["Pièces"]) == 2

    erased = ok(
        await graphql.execute(ERASE_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingEraseSitter",
    )
    assert (
        erased["sitter"]["lastName"] == "Effacé·e" and "verdonck" not in erased["sitter"]["email"]
    )
    assert all(d["size"] == 0 and d["downloadPath"] is None for d in erased["sitter"]["documents"])

    ok(
        await graphql.execute(ERASE_FAMILY, {"f": family["id"]}, tenant=tenant, actor=dpo),
        "eraseFamilyData",
    )
    assert data(await graphql.execute(REQUESTS, tenant=tenant), "handisitting", "requests") == {
        "totalCount": 0
    }


async def test_retention_erases_idle_sitters_only(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    async with maillage_db.session(tenant.id) as session:
        now = await personal_data.purge(session, today=today(), retention_months=24, actor="test")
        later = await personal_data.purge(
            session, today=today() + dt.timedelta(days=1100), retention_months=24, actor="test"
        )
        await session.commit()
    assert now == {"documents": 0, "sitters": 0}
    assert later == {"documents": 2, "sitters": 1}


CANDIDATES = """query($r: ID!) { handisitting { candidates(requestId: $r) {
  sitter { id } } } }"""
SITTER = """query($id: ID!) { node(id: $id) { ... on HandisittingSitter {
  status { value } blocking } } }"""


async def test_an_erased_sitter_is_closed_and_never_ranked_nor_proposed(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    ahead = await request_for(graphql, tenant, family, first_on=today(), weeks=3)
    booking = await booked(graphql, tenant, ahead, sitter, agreed_on=today())
    pending = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=60))
    proposal = ok(
        await graphql.execute(
            PROPOSE,
            {
                "input": {
                    "requestId": pending["id"],
                    "sitterId": sitter["id"],
                    "confirmWarnings": True,
                }
            },
            tenant=tenant,
        ),
        "handisittingPropose",
    )["proposal"]

    # Sittings still ahead under a confirmed booking: the family would be left without
    # anyone; staff cancel it first (who, why), then erase.
    refused = await graphql.execute(ERASE_SITTER, {"s": sitter["id"]}, tenant=tenant)
    assert error_of(refused, "handisittingEraseSitter") == ("CONFLICT", "sitterId")
    ok(
        await graphql.execute(
            CANCEL,
            {"input": {"bookingId": booking["id"], "by": "sitter", "reason": "Effacement"}},
            tenant=tenant,
        ),
        "handisittingCancelBooking",
    )
    ok(
        await graphql.execute(ERASE_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingEraseSitter",
    )
    shown = data(await graphql.execute(SITTER, {"id": sitter["id"]}, tenant=tenant), "node")
    assert shown["status"]["value"] == "erased"
    assert shown["blocking"] == ["statut : Effacé·e"]
    assert (
        data(
            await graphql.execute(CANDIDATES, {"r": pending["id"]}, tenant=tenant),
            "handisitting",
            "candidates",
        )
        == []
    )
    # Her open proposal is withdrawn and a new one refused.
    again = await graphql.execute(
        ANSWER, {"input": {"proposalId": proposal["id"], "accept": True}}, tenant=tenant
    )
    assert error_of(again, "handisittingAnswerProposal") == ("CONFLICT", "input.proposalId")
    other = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=90))
    new = await graphql.execute(
        PROPOSE,
        {"input": {"requestId": other["id"], "sitterId": sitter["id"], "confirmWarnings": True}},
        tenant=tenant,
    )
    assert error_of(new, "handisittingPropose") == ("VALIDATION", "input.sitterId")
    # And nobody puts her back on the vetting path.
    vet = await graphql.execute(
        VET,
        {"input": {"sitterId": sitter["id"], "status": "suspended", "reason": "?"}},
        tenant=tenant,
    )
    assert error_of(vet, "handisittingVet") == ("CONFLICT", "input.status")


async def test_retention_counts_from_the_last_sitting_not_the_agreement(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    # Agreed 230 days ago, every week for 51 weeks: the last sitting is 121 days ahead.
    start = today() - dt.timedelta(days=229)
    request = await request_for(graphql, tenant, family, first_on=start, weeks=50)
    booking = await booked(graphql, tenant, request, sitter, agreed_on=start - dt.timedelta(days=1))
    assert len(booking["sittings"]) == 51
    last = max(dt.date.fromisoformat(s["on"]) for s in booking["sittings"])
    async with maillage_db.session(tenant.id) as session:
        during = await personal_data.purge(session, today=today(), retention_months=6, actor="t")
        # Six months after the last sitting less a day: still kept.
        kept = await personal_data.purge(
            session, today=last + dt.timedelta(days=180), retention_months=6, actor="t"
        )
        gone = await personal_data.purge(
            session, today=last + dt.timedelta(days=190), retention_months=6, actor="t"
        )
        twice = await personal_data.purge(
            session, today=last + dt.timedelta(days=400), retention_months=6, actor="t"
        )
        await session.commit()
    assert during["sitters"] == kept["sitters"] == 0
    assert gone["sitters"] == 1
    assert twice["sitters"] == 0  # an erased sitter is not erased again


async def test_a_sitter_export_and_erasure_cover_absences_answers_and_incidents(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    past = today() - dt.timedelta(days=20)
    request = await request_for(graphql, tenant, family, first_on=past)
    booking = await booked(graphql, tenant, request, sitter, agreed_on=past - dt.timedelta(days=1))
    for by, words in (("sitter", "Chute dans l'escalier, sans gravité"), ("family", "Retard")):
        ok(
            await graphql.execute(
                INCIDENT,
                {
                    "input": {
                        "bookingId": booking["id"],
                        "by": by,
                        "happenedOn": past.isoformat(),
                        "description": words,
                    }
                },
                tenant=tenant,
            ),
            "handisittingReportIncident",
        )
    declined = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=40))
    proposal = ok(
        await graphql.execute(
            PROPOSE,
            {
                "input": {
                    "requestId": declined["id"],
                    "sitterId": sitter["id"],
                    "confirmWarnings": True,
                }
            },
            tenant=tenant,
        ),
        "handisittingPropose",
    )["proposal"]
    ok(
        await graphql.execute(
            ANSWER,
            {"input": {"proposalId": proposal["id"], "accept": False, "note": "Mes partiels"}},
            tenant=tenant,
        ),
        "handisittingAnswerProposal",
    )
    ok(
        await graphql.execute(
            ABSENCE,
            {
                "input": {
                    "sitterId": sitter["id"],
                    "startsOn": (today() + dt.timedelta(days=30)).isoformat(),
                    "endsOn": (today() + dt.timedelta(days=45)).isoformat(),
                    "note": "Stage à Lille",
                }
            },
            tenant=tenant,
        ),
        "handisittingAddUnavailability",
    )

    exported = ok(
        await graphql.execute(EXPORT_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingExportSitter",
    )["data"]
    assert [a["Motif"] for a in exported["Absences"]] == ["Stage à Lille"]
    assert [p["Réponse"] for p in exported["Propositions"]] == ["", "Mes partiels"]
    assert sorted(i["Description"] for i in exported["Incidents"]) == [
        "Chute dans l'escalier, sans gravité",
        "Retard",
    ]

    ok(
        await graphql.execute(ERASE_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingEraseSitter",
    )
    async with maillage_db.session(tenant.id) as session:
        notes = set((await session.scalars(select(Proposal.answer_note))).all())
        described = dict(
            (await session.execute(select(Incident.reported_by, Incident.description))).all()
        )
    assert notes == {""}
    # Her own words go; the family's report of the incident is the pole's record.
    assert described == {"sitter": "", "family": "Retard"}
