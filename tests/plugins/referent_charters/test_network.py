"""The referent network end to end: a session, referents, the charter, meetings."""

from __future__ import annotations

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.plugins.host import call_async
from core.plugins.state import list_states
from plugins.referent_charters.vocabulary import DEFAULT_COMMITMENTS
from tests.plugins.referent_charters.operations import (
    ATTENDANCE,
    CLERMONT,
    REFERENTS,
    SIGN,
    attend,
    meeting,
    ok,
    payload,
    publish,
    record_session,
    register,
)


async def _pole(make_tenant, enable_plugin, **settings):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "referent_charters", settings=settings or None)
    return tenant


async def test_register_a_referent_sign_the_charter_and_list(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(
        graphql, tenant, programme="Deux jours par une association partenaire, un par le pôle."
    )
    assert session["title"] == "7e session de formation des référents"
    referent = await register(graphql, tenant, session["id"])
    assert referent["job"]["label"] == "Éducateur·rice de jeunes enfants (EJE)"
    assert referent["commune"]["name"] == "Riom"
    assert referent["trainingSession"] == {"number": 7, "referentCount": 1}

    charter = await publish(graphql, tenant)
    assert charter["commitments"] == list(DEFAULT_COMMITMENTS)
    assert len(charter["commitments"]) == 8

    # The referent signs on the last training day; the countersignatures come later.
    sign = {"referentId": referent["id"], "signedOn": "2026-04-13"}
    first = ok(
        await graphql.execute(SIGN, {"input": sign}, tenant=tenant),
        "referentChartersRecordSignature",
    )
    assert first["signature"]["complete"] is False
    assert first["signature"]["charter"] == {"version": "2021", "signatureCount": 1}
    later = {**sign, "establishmentSignedOn": "2026-04-20", "poleSignedOn": "2026-04-27"}
    second = ok(
        await graphql.execute(SIGN, {"input": later}, tenant=tenant),
        "referentChartersRecordSignature",
    )
    assert second["signature"]["complete"] is True
    assert second["referent"]["signatures"] == [{"signedOn": "2026-04-13", "complete": True}]

    listed = payload(await graphql.execute(REFERENTS, tenant=tenant), "referentCharters")
    assert listed["referents"]["totalCount"] == 1
    node = listed["referents"]["edges"][0]["node"]
    assert node["lastName"] == "Dumontel"
    assert node["signatures"] == [{"charter": {"version": "2021"}, "complete": True}]
    found = await graphql.execute(
        "query($id: ID!) { node(id: $id) { ... on ReferentChartersReferent { lastName } } }",
        {"id": referent["id"]},
        tenant=tenant,
    )
    assert found["data"]["node"] == {"lastName": "Dumontel"}

    # The trail says who did what to which record, never a person's values.
    async with maillage_db.session(tenant.id) as db:
        events = (await db.execute(select(AuditEvent).order_by(AuditEvent.at))).scalars().all()
    actions = [e.action for e in events if e.action.startswith("referent_charters.")]
    assert actions == [
        "referent_charters.record_training_session",
        "referent_charters.register_referent",
        "referent_charters.publish_charter",
        "referent_charters.record_signature",
        "referent_charters.record_signature",
    ]
    trail = repr([(e.object_type, e.object_id, e.fields) for e in events])
    assert "Dumontel" not in trail and "Claire" not in trail and "63300" not in trail


async def test_a_childminder_at_home_needs_no_establishment_signature(
    make_tenant, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    referent = await register(
        graphql,
        tenant,
        session["id"],
        job="childminder",
        structureKind="domicile",
        structureName="",
        communeInsee=CLERMONT,
    )
    await publish(graphql, tenant)
    sign = {"referentId": referent["id"], "signedOn": "2026-04-13", "poleSignedOn": "2026-04-20"}
    result = ok(
        await graphql.execute(SIGN, {"input": sign}, tenant=tenant),
        "referentChartersRecordSignature",
    )
    assert result["signature"]["complete"] is True


async def test_attendance_counts_the_year_and_flags_who_is_behind(
    make_tenant, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(
        graphql, tenant, number=6, startOn="2025-03-10", endOn="2025-04-07"
    )
    assiduous = await register(graphql, tenant, session["id"], lastName="Assidue")
    late = await register(graphql, tenant, session["id"], lastName="Enretard")
    june = await meeting(graphql, tenant, "2025-06-17")
    november = await meeting(
        graphql, tenant, "2025-11-18", kind="themed_day", title="Journée thématique : l'autisme"
    )
    assert november["kind"]["label"] == "Journée thématique"
    sheet = ok(
        await attend(graphql, tenant, june["id"], assiduous["id"], late["id"]),
        "referentChartersRecordAttendance",
    )
    assert sheet["meeting"]["attendeeCount"] == 2
    ok(
        await attend(graphql, tenant, november["id"], assiduous["id"]),
        "referentChartersRecordAttendance",
    )

    lines = payload(
        await graphql.execute(ATTENDANCE, {"year": 2025}, tenant=tenant), "referentCharters"
    )["attendance"]
    assert lines == [
        {
            "referent": {"lastName": "Assidue"},
            "year": 2025,
            "attended": 2,
            "expected": 2,
            "behind": False,
        },
        {
            "referent": {"lastName": "Enretard"},
            "year": 2025,
            "attended": 1,
            "expected": 2,
            "behind": True,
        },
    ]
    behind = payload(
        await graphql.execute(ATTENDANCE, {"year": 2025, "behindOnly": True}, tenant=tenant),
        "referentCharters",
    )["attendance"]
    assert [line["referent"]["lastName"] for line in behind] == ["Enretard"]

    # The sign-in sheet is replaced, not appended to: a correction is the same call.
    sheet = ok(
        await attend(graphql, tenant, june["id"], late["id"]), "referentChartersRecordAttendance"
    )
    assert sheet["meeting"]["attendeeCount"] == 1
    lines = payload(
        await graphql.execute(ATTENDANCE, {"year": 2025}, tenant=tenant), "referentCharters"
    )["attendance"]
    assert [(line["attended"], line["behind"]) for line in lines] == [(1, True), (1, True)]

    # Nobody trained before 2025 owed anything in 2024.
    empty = payload(
        await graphql.execute(ATTENDANCE, {"year": 2024}, tenant=tenant), "referentCharters"
    )
    assert empty["attendance"] == []


async def test_the_commitment_is_the_poles_setting(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin, meetings_per_year=1)
    session = await record_session(
        graphql, tenant, number=6, startOn="2025-03-10", endOn="2025-04-07"
    )
    referent = await register(graphql, tenant, session["id"])
    june = await meeting(graphql, tenant, "2025-06-17")
    ok(
        await attend(graphql, tenant, june["id"], referent["id"]),
        "referentChartersRecordAttendance",
    )
    lines = payload(
        await graphql.execute(ATTENDANCE, {"year": 2025}, tenant=tenant), "referentCharters"
    )["attendance"]
    assert [(line["attended"], line["expected"], line["behind"]) for line in lines] == [
        (1, 1, False)
    ]


async def test_the_seed_builds_a_network_with_referents_behind(
    maillage_host, maillage_db, make_tenant, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    async with maillage_db.session(tenant.id) as db:
        states = {s.manifest.name: s for s in await list_states(maillage_host, db)}
        await call_async(
            maillage_host.plugin_caller("maillage_seed", "referent_charters"),
            tenant=tenant,
            session=db,
            settings=states["referent_charters"].settings,
        )
        await db.commit()
    data = payload(
        await graphql.execute(
            "{ referentCharters { trainingSessions { number referentCount }"
            " charters { version commitments signatureCount }"
            " meetings(year: 2025) { attendeeCount } } }",
            tenant=tenant,
        ),
        "referentCharters",
    )
    assert [s["number"] for s in data["trainingSessions"]] == [7, 6, 5]
    assert all(s["referentCount"] == 3 for s in data["trainingSessions"])
    assert data["charters"][0]["commitments"] == list(DEFAULT_COMMITMENTS)
    assert data["charters"][0]["signatureCount"] == 9
    assert len(data["meetings"]) == 2
    lines = payload(
        await graphql.execute(ATTENDANCE, {"year": 2025}, tenant=tenant), "referentCharters"
    )["attendance"]
    assert len(lines) == 6  # the 7th session ends in 2026
    assert any(line["behind"] for line in lines) and not all(line["behind"] for line in lines)
