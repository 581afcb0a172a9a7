"""What the plugin refuses: bad input (coded, naming the field, nothing written),
another pole's rows, a pole that did not enable it, a role without the action."""

from __future__ import annotations

import datetime as dt

import pytest

from core.testing.client import error_codes
from tests.plugins.referent_charters.operations import (
    ARRAS,
    ATTENDANCE,
    CORRECT_SESSION,
    PUBLISH,
    RECORD_MEETING,
    RECORD_SESSION,
    REFERENTS,
    REGISTER,
    SIGN,
    attend,
    foreign_id,
    meeting,
    ok,
    payload,
    publish,
    record_session,
    referent_input,
    register,
)

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


async def _pole(make_tenant, enable_plugin, departement="63"):
    tenant = await make_tenant(departement)
    await enable_plugin(tenant, "referent_charters")
    return tenant


def _error(result: dict, field: str) -> dict:
    errors = payload(result, field)["errors"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"firstName": "  "}, "VALIDATION", "input.firstName"),
        ({"lastName": "x" * 101}, "VALIDATION", "input.lastName"),
        ({"communeInsee": "00000"}, "VALIDATION", "input.communeInsee"),
        ({"communeInsee": ARRAS}, "VALIDATION", "input.communeInsee"),
        ({"structureName": ""}, "VALIDATION", "input.structureName"),
        ({"job": "EJE"}, "VALIDATION", "input.job"),
        ({"structureKind": "creche"}, "VALIDATION", "input.structureKind"),
        ({"trainingSessionId": "pas-un-identifiant"}, "VALIDATION", "input.trainingSessionId"),
        (
            {"trainingSessionId": foreign_id("ReferentChartersTrainingSession")},
            "NOT_FOUND",
            "input.trainingSessionId",
        ),
    ],
)
async def test_registering_bad_input_names_the_field_and_writes_nothing(
    make_tenant, enable_plugin, graphql, change, code, field
):
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    result = await graphql.execute(
        REGISTER, {"input": referent_input(session["id"], **change)}, tenant=tenant
    )
    error = _error(result, "referentChartersRegisterReferent")
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]  # French, for the person who typed it
    assert payload(result, "referentChartersRegisterReferent")["referent"] is None
    listed = payload(await graphql.execute(REFERENTS, tenant=tenant), "referentCharters")
    assert listed["referents"]["totalCount"] == 0


async def test_a_childminder_at_home_may_leave_the_structure_name_empty(
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
    )
    assert referent["structureName"] == ""


async def test_training_sessions_and_charters_are_checked(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin)
    await record_session(graphql, tenant)
    session_input = {"number": 7, "startOn": "2026-03-09", "endOn": "2026-04-13"}
    again = await graphql.execute(RECORD_SESSION, {"input": session_input}, tenant=tenant)
    error = _error(again, "referentChartersRecordTrainingSession")
    assert (error["code"], error["field"]) == ("CONFLICT", "input.number")
    backwards = {**session_input, "number": 8, "endOn": "2026-03-01"}
    error = _error(
        await graphql.execute(RECORD_SESSION, {"input": backwards}, tenant=tenant),
        "referentChartersRecordTrainingSession",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.endOn")

    blank = {"version": "v2", "publishedOn": "2025-01-01", "commitments": ["Engagement", " "]}
    error = _error(
        await graphql.execute(PUBLISH, {"input": blank}, tenant=tenant),
        "referentChartersPublishCharter",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.commitments.1")
    future = {"version": "v2", "publishedOn": TOMORROW}
    error = _error(
        await graphql.execute(PUBLISH, {"input": future}, tenant=tenant),
        "referentChartersPublishCharter",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.publishedOn")
    data = payload(
        await graphql.execute(
            "{ referentCharters { trainingSessions { number } charters { version } } }",
            tenant=tenant,
        ),
        "referentCharters",
    )
    assert data == {"trainingSessions": [{"number": 7}], "charters": []}


async def test_separate_days_and_corrections_are_checked(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin)
    twice = {"number": 8, "days": ["2026-03-09", "2026-03-16", "2026-03-09"]}
    error = _error(
        await graphql.execute(RECORD_SESSION, {"input": twice}, tenant=tenant),
        "referentChartersRecordTrainingSession",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.days.2")
    neither = {"number": 8}
    error = _error(
        await graphql.execute(RECORD_SESSION, {"input": neither}, tenant=tenant),
        "referentChartersRecordTrainingSession",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.startOn")
    session = await record_session(
        graphql, tenant, startOn=None, endOn=None, days=twice["days"][:2]
    )
    referent = await register(graphql, tenant, session["id"])
    await publish(graphql, tenant)
    signed = await graphql.execute(
        SIGN, {"input": {"referentId": referent["id"], "signedOn": "2026-03-16"}}, tenant=tenant
    )
    assert payload(signed, "referentChartersRecordSignature")["errors"] == []
    # Moving the first day after a charter signed at the end of the training is refused…
    later = {"number": 7, "days": ["2026-03-23", "2026-03-30"]}
    error = _error(
        await graphql.execute(
            CORRECT_SESSION, {"id": session["id"], "input": later}, tenant=tenant
        ),
        "referentChartersCorrectTrainingSession",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.startOn")
    # …taking another session's number too; a session of another pole is not found.
    other = await record_session(graphql, tenant, number=9)
    taken = {"number": 9, "startOn": "2026-03-09", "endOn": "2026-03-16"}
    error = _error(
        await graphql.execute(
            CORRECT_SESSION, {"id": session["id"], "input": taken}, tenant=tenant
        ),
        "referentChartersCorrectTrainingSession",
    )
    assert (error["code"], error["field"]) == ("CONFLICT", "input.number")
    stranger = await _pole(make_tenant, enable_plugin)
    error = _error(
        await graphql.execute(
            CORRECT_SESSION, {"id": other["id"], "input": taken}, tenant=stranger
        ),
        "referentChartersCorrectTrainingSession",
    )
    assert (error["code"], error["field"]) == ("NOT_FOUND", "id")
    # Consecutive days again: the days one by one are dropped, the referent stays.
    plain = {"number": 7, "startOn": "2026-03-09", "endOn": "2026-03-16"}
    fixed = ok(
        await graphql.execute(
            CORRECT_SESSION, {"id": session["id"], "input": plain}, tenant=tenant
        ),
        "referentChartersCorrectTrainingSession",
    )["trainingSession"]
    assert (fixed["days"], fixed["referentCount"]) == ([], 1)


async def test_signatures_are_checked(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    at_home = await register(
        graphql,
        tenant,
        session["id"],
        job="childminder",
        structureKind="domicile",
        structureName="",
    )

    def sign(**kw):
        variables = {"referentId": at_home["id"], "signedOn": "2026-04-13", **kw}
        return graphql.execute(SIGN, {"input": variables}, tenant=tenant)

    error = _error(await sign(), "referentChartersRecordSignature")
    assert (error["code"], error["field"]) == ("NOT_FOUND", "input.charterId")
    await publish(graphql, tenant)
    cases = [
        ({"signedOn": TOMORROW}, "VALIDATION", "input.signedOn"),
        ({"signedOn": "2026-01-05"}, "VALIDATION", "input.signedOn"),  # before the training
        ({"establishmentSignedOn": "2026-04-20"}, "VALIDATION", "input.establishmentSignedOn"),
        ({"poleSignedOn": TOMORROW}, "VALIDATION", "input.poleSignedOn"),
        (
            {"referentId": foreign_id("ReferentChartersReferent")},
            "NOT_FOUND",
            "input.referentId",
        ),
        ({"referentId": session["id"]}, "VALIDATION", "input.referentId"),  # wrong type
    ]
    for change, code, field in cases:
        error = _error(await sign(**change), "referentChartersRecordSignature")
        assert (error["code"], error["field"]) == (code, field), change
    charters = payload(
        await graphql.execute(
            "{ referentCharters { charters { signatureCount } } }", tenant=tenant
        ),
        "referentCharters",
    )
    assert charters["charters"] == [{"signatureCount": 0}]


async def test_attendance_is_checked(make_tenant, enable_plugin, graphql):
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    referent = await register(graphql, tenant, session["id"])
    planned = await meeting(graphql, tenant, TOMORROW)  # a meeting may be planned ahead
    error = _error(
        await attend(graphql, tenant, planned["id"], referent["id"]),
        "referentChartersRecordAttendance",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "input.meetingId")
    held = await meeting(graphql, tenant, "2026-06-16")
    error = _error(
        await attend(
            graphql, tenant, held["id"], referent["id"], foreign_id("ReferentChartersReferent")
        ),
        "referentChartersRecordAttendance",
    )
    assert (error["code"], error["field"]) == ("NOT_FOUND", "input.referentIds")
    same = {"heldOn": "2026-06-16", "kind": "follow_up", "title": "Réunion de suivi"}
    error = _error(
        await graphql.execute(RECORD_MEETING, {"input": same}, tenant=tenant),
        "referentChartersRecordMeeting",
    )
    assert (error["code"], error["field"]) == ("CONFLICT", "input.title")
    lines = payload(
        await graphql.execute(ATTENDANCE, {"year": 2026}, tenant=tenant), "referentCharters"
    )["attendance"]
    assert [line["attended"] for line in lines] == [0]
    bad_year = await graphql.execute(ATTENDANCE, {"year": 1850}, tenant=tenant)
    assert error_codes(bad_year) == ["VALIDATION"]


async def test_another_pole_sees_nothing_and_cannot_reach_the_rows(
    make_tenant, enable_plugin, graphql
):
    a = await _pole(make_tenant, enable_plugin)
    b = await _pole(make_tenant, enable_plugin, departement="62")
    session = await record_session(graphql, a)
    referent = await register(graphql, a, session["id"])
    await publish(graphql, a)

    listed = payload(await graphql.execute(REFERENTS, tenant=b), "referentCharters")
    assert listed["referents"]["totalCount"] == 0
    node = await graphql.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": referent["id"]}, tenant=b
    )
    assert node["data"]["node"] is None
    # Pole B cannot sign pole A's referent (B has its own charter): not found, not written.
    await publish(graphql, b)
    sign = {"referentId": referent["id"], "signedOn": "2026-04-13"}
    error = _error(
        await graphql.execute(SIGN, {"input": sign}, tenant=b), "referentChartersRecordSignature"
    )
    assert (error["code"], error["field"]) == ("NOT_FOUND", "input.referentId")
    # Nor register a referent in pole A's training session.
    result = await graphql.execute(
        REGISTER, {"input": referent_input(session["id"], communeInsee=ARRAS)}, tenant=b
    )
    error = _error(result, "referentChartersRegisterReferent")
    assert (error["code"], error["field"]) == ("NOT_FOUND", "input.trainingSessionId")


async def test_a_pole_that_did_not_enable_the_plugin_gets_plugin_disabled(
    make_tenant, enable_plugin, graphql
):
    a = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, a)
    other = await make_tenant("63")
    listed = await graphql.execute(REFERENTS, tenant=other)
    assert listed["data"] == {"referentCharters": None}
    assert error_codes(listed) == ["PLUGIN_DISABLED"]
    result = await graphql.execute(REGISTER, {"input": referent_input(session["id"])}, tenant=other)
    assert error_codes(result) == ["PLUGIN_DISABLED"]
    # Disabling keeps the data: enabling again finds it.
    await enable_plugin(a, "referent_charters", enabled=False)
    assert error_codes(await graphql.execute(REFERENTS, tenant=a)) == ["PLUGIN_DISABLED"]
    await enable_plugin(a, "referent_charters")
    sessions = payload(
        await graphql.execute("{ referentCharters { trainingSessions { number } } }", tenant=a),
        "referentCharters",
    )
    assert sessions["trainingSessions"] == [{"number": 7}]


MUTATIONS = [
    (RECORD_SESSION, {"number": 1, "startOn": "2026-01-05", "endOn": "2026-01-06"}),
    (PUBLISH, {"version": "v9", "publishedOn": "2026-01-05"}),
    (RECORD_MEETING, {"heldOn": "2026-01-05", "kind": "follow_up", "title": "Suivi"}),
    (SIGN, {"referentId": "x", "signedOn": "2026-01-05"}),
]


@pytest.mark.parametrize(("document", "variables"), MUTATIONS)
@pytest.mark.parametrize("roles", [("family",), ("psychologist",), ("referent",)])
async def test_roles_without_manage_are_forbidden(
    make_tenant, make_actor, enable_plugin, graphql, document, variables, roles
):
    tenant = await _pole(make_tenant, enable_plugin)
    actor = make_actor(*roles)
    result = await graphql.execute(document, {"input": variables}, tenant=tenant, actor=actor)
    assert error_codes(result) == ["FORBIDDEN"]


async def test_family_cannot_read_and_staff_can_manage(
    make_tenant, make_actor, enable_plugin, graphql
):
    tenant = await _pole(make_tenant, enable_plugin)
    denied = await graphql.execute(REFERENTS, tenant=tenant, actor=make_actor("family"))
    assert error_codes(denied) == ["FORBIDDEN"]
    staff = make_actor("staff")
    result = await graphql.execute(
        RECORD_SESSION,
        {"input": {"number": 3, "startOn": "2026-01-05", "endOn": "2026-01-06"}},
        tenant=tenant,
        actor=staff,
    )
    assert ok(result, "referentChartersRecordTrainingSession")["trainingSession"]["number"] == 3
    read = await graphql.execute(REFERENTS, tenant=tenant, actor=make_actor("psychologist"))
    assert payload(read, "referentCharters")["referents"]["totalCount"] == 0


async def test_vocabularies_are_codes_with_labels_like_cores(graphql, make_tenant, enable_plugin):
    """Decision 98: the plugin's vocabularies are String codes in, ``{ value label }`` out,
    listed by queries; an unknown code answers VALIDATION naming the field."""
    tenant = await _pole(make_tenant, enable_plugin)
    result = await graphql.execute(
        "{ referentCharters { jobs { value label } structureKinds { value } "
        "meetingKinds { value } } }",
        tenant=tenant,
    )
    vocabularies = result["data"]["referentCharters"]
    assert {"value": "eje", "label": "Éducateur·rice de jeunes enfants (EJE)"} in vocabularies[
        "jobs"
    ]
    assert [k["value"] for k in vocabularies["structureKinds"]] == ["eaje", "domicile"]
    assert [k["value"] for k in vocabularies["meetingKinds"]] == ["follow_up", "themed_day"]
