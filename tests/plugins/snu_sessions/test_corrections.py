"""Correcting what was recorded, through GraphQL over HTTP as a pole's staff or an
integrator sends it (the real app, signed requests): a session and a group corrected
with the checks of their creation, a group removed (refused while young people are
counted in it), a day cancelled with its reason and reinstated — and none of it
reaching another pole's rows, which answer NOT_FOUND and stay as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import sdk
from core.testing.client import error_codes
from plugins.snu_sessions import quiz
from tests.plugins.snu_sessions.operations import (
    ARRAS,
    ATTENDANCE,
    CANCEL,
    RECORD_GROUP,
    RECORD_SESSION,
    REINSTATE,
    REMOVE_GROUP,
    RESULTS,
    SCHEDULE,
    SESSION,
    add_group,
    answered_day,
    foreign_id,
    kit_and_partner,
    ok,
    payload,
    quiz_form,
    record_session,
    schedule,
    session_input,
    windows,
)

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
STAFF = """query { snuSessions { staffMembers { userId displayName } } }"""
FIGURE = """query($year: Int!) { figure(name: "snu_sessions.sessions", year: $year) { total } }"""
MEMBERS = "query { members(first: 100) { edges { node { id roles } } } }"
LEAVE = """mutation($id: ID!) { updateMember(id: $id, input: { active: false }) {
  errors { code field message } } }"""
DELETIONS = """query($since: DateTime!) { deletions(since: $since, first: 100) {
  edges { node { type globalId } } } }"""


async def _pole(make_tenant: Any, enable_plugin: Any) -> Any:
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    return tenant


def _error(result: dict[str, Any], field: str) -> tuple[str, str]:
    errors = payload(result, field)["errors"]
    assert len(errors) == 1 and errors[0]["message"], errors
    return errors[0]["code"], errors[0]["field"]


async def _shown(graphql: Any, tenant: Any, session_id: str) -> dict[str, Any]:
    result = await graphql.execute(SESSION, {"id": session_id}, tenant=tenant)
    return payload(result, "snuSessions")["session"]  # type: ignore[no-any-return]


def _group(session: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in session["groups"] if g["name"] == name)


async def test_a_session_is_corrected_whole_and_a_bad_correction_changes_nothing(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    kit, _ = await kit_and_partner(maillage_db, tenant)
    session = await record_session(graphql, tenant)
    day = dt.date.today() - dt.timedelta(days=30)
    corrected = session_input(
        centre="Centre SNU de la citadelle",
        communeInsee=ARRAS,
        startsOn=day.isoformat(),
        endsOn=(day + dt.timedelta(days=1)).isoformat(),
        methods=["debate"],
        objectives=["key_figures"],
        notes="Deux journées, pas une.",
        kitIds=[kit],
    )
    done = ok(
        await graphql.execute(
            RECORD_SESSION, {"input": corrected, "id": session["id"]}, tenant=tenant
        ),
        "snuSessionsRecordSession",
    )["session"]
    assert done["id"] == session["id"]
    assert (done["centre"], done["commune"]["name"], done["notes"]) == (
        "Centre SNU de la citadelle",
        "Arras",
        "Deux journées, pas une.",
    )
    assert (done["startsOn"], done["endsOn"]) == (corrected["startsOn"], corrected["endsOn"])
    assert [m["value"] for m in done["methods"]] == ["debate"]
    assert [k["name"] for k in done["materials"]] == ["Malle boccia"]

    # The checks of creation, on a correction: each names its field; nothing changes.
    for change, code, field in (
        ({"endsOn": (day - dt.timedelta(days=1)).isoformat()}, "VALIDATION", "input.endsOn"),
        ({"centre": " "}, "VALIDATION", "input.centre"),
        ({"communeInsee": "99999"}, "VALIDATION", "input.communeInsee"),
        ({"methods": ["karaoke"]}, "VALIDATION", "input.methods"),
        ({"kitIds": [foreign_id("Kit")]}, "NOT_FOUND", "input.kitIds"),
        ({"notes": "é" * 5001}, "VALIDATION", "input.notes"),
    ):
        result = await graphql.execute(
            RECORD_SESSION, {"input": {**corrected, **change}, "id": session["id"]}, tenant=tenant
        )
        assert _error(result, "snuSessionsRecordSession") == (code, field), change
    assert await _shown(graphql, tenant, session["id"]) == done


async def test_a_group_is_corrected_with_its_facilitators_and_the_creation_checks(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any, make_actor: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    _, partner = await kit_and_partner(maillage_db, tenant)
    animator = make_actor("staff", subject="test:animatrice")
    await graphql.execute(STAFF, tenant=tenant, actor=animator)  # her membership exists
    family = make_actor("family", subject="test:famille")
    await graphql.execute(STAFF, tenant=tenant, actor=family)
    team = payload(await graphql.execute(STAFF, tenant=tenant), "snuSessions")["staffMembers"]
    # The team, by name: the pole's roles only (a family's account is no facilitator).
    assert [m["displayName"] for m in team] == ["Administratrice de test", "Personne de test"]
    her = next(m for m in team if m["displayName"] == "Personne de test")["userId"]

    session = await record_session(graphql, tenant)
    group = (await add_group(graphql, tenant, session["id"], "Groupe 1", 30))["group"]
    await add_group(graphql, tenant, session["id"], "Groupe 2", 20)
    present = {"sessionId": session["id"], "groups": [{"groupId": group["id"], "present": 25}]}
    ok(
        await graphql.execute(ATTENDANCE, {"input": present}, tenant=tenant),
        "snuSessionsRecordAttendance",
    )
    wanted = {
        "sessionId": session["id"],
        "name": "Maisonnée A",
        "size": 26,
        "staffIds": [her],
        "partnerIds": [partner],
    }
    done = ok(
        await graphql.execute(RECORD_GROUP, {"input": wanted, "id": group["id"]}, tenant=tenant),
        "snuSessionsRecordGroup",
    )
    assert done["group"] == {"id": group["id"], "name": "Maisonnée A", "size": 26}
    assert _group(done["session"], "Maisonnée A")["facilitators"] == [
        {"staffMember": {"userId": her, "displayName": "Personne de test"}, "partner": None},
        {"staffMember": None, "partner": {"name": "CAMSP de Calais"}},
    ]
    assert done["session"]["youngPeople"] == 46

    for change, code, field in (
        ({"size": 24}, "VALIDATION", "input.size"),  # 25 present are noted
        ({"size": 0}, "VALIDATION", "input.size"),
        ({"name": "Groupe 2"}, "CONFLICT", "input.name"),
        ({"name": ""}, "VALIDATION", "input.name"),
        ({"staffIds": [foreign_id("StaffMember")]}, "NOT_FOUND", "input.staffIds"),
        ({"partnerIds": [foreign_id("Partner")]}, "NOT_FOUND", "input.partnerIds"),
    ):
        result = await graphql.execute(
            RECORD_GROUP, {"input": {**wanted, **change}, "id": group["id"]}, tenant=tenant
        )
        assert _error(result, "snuSessionsRecordGroup") == (code, field), change
    # A group named under another session of the pole is not found there.
    other = await record_session(graphql, tenant, centre="Un autre centre")
    result = await graphql.execute(
        RECORD_GROUP,
        {"input": {**wanted, "sessionId": other["id"]}, "id": group["id"]},
        tenant=tenant,
    )
    assert _error(result, "snuSessionsRecordGroup") == ("NOT_FOUND", "id")
    assert _group(await _shown(graphql, tenant, session["id"]), "Maisonnée A")["size"] == 26

    # She leaves the pole: the group she ran is still corrected with her name on it, but
    # she is offered to no other group.
    members = payload(await graphql.execute(MEMBERS, tenant=tenant), "members")["edges"]
    membership = next(m["node"]["id"] for m in members if m["node"]["roles"] == ["staff"])
    left = await graphql.execute(LEAVE, {"id": membership}, tenant=tenant)
    assert payload(left, "updateMember")["errors"] == []
    kept = ok(
        await graphql.execute(
            RECORD_GROUP, {"input": {**wanted, "size": 27}, "id": group["id"]}, tenant=tenant
        ),
        "snuSessionsRecordGroup",
    )
    ran = _group(kept["session"], "Maisonnée A")["facilitators"]
    assert ran[0]["staffMember"] == {"userId": her, "displayName": "Personne de test"}
    g2 = _group(kept["session"], "Groupe 2")
    result = await graphql.execute(
        RECORD_GROUP,
        {"input": {**wanted, "name": "Groupe 2", "size": 20}, "id": g2["id"]},
        tenant=tenant,
    )
    assert _error(result, "snuSessionsRecordGroup") == ("NOT_FOUND", "input.staffIds")


async def test_a_group_with_attendance_is_kept_until_it_is_cleared_and_answers_stay(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    day = await answered_day(graphql, tenant, maillage_db)  # G1 has 28 present, G2 none
    shown = await _shown(graphql, tenant, day["id"])
    g1, g2 = _group(shown, "G1"), _group(shown, "G2")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)

    refused = await graphql.execute(REMOVE_GROUP, {"id": g1["id"]}, tenant=tenant)
    assert _error(refused, "snuSessionsRemoveGroup") == ("CONFLICT", "id")
    assert "28 présents" in payload(refused, "snuSessionsRemoveGroup")["errors"][0]["message"]

    # G2 was recorded by mistake: removed; the quiz's answers are the session's, they stay.
    removed = ok(
        await graphql.execute(REMOVE_GROUP, {"id": g2["id"]}, tenant=tenant),
        "snuSessionsRemoveGroup",
    )["session"]
    assert [g["name"] for g in removed["groups"]] == ["G1"]
    assert removed["youngPeople"] == 30
    results = payload(
        await graphql.execute(RESULTS, {"id": day["id"]}, tenant=tenant), "snuSessions"
    )["results"]
    assert (results["nBefore"], results["nAfter"]) == (5, 4)
    feed = payload(
        await graphql.execute(DELETIONS, {"since": since.isoformat()}, tenant=tenant), "deletions"
    )
    assert {"type": "SnuSessionsGroup", "globalId": g2["id"]} in [e["node"] for e in feed["edges"]]
    again = await graphql.execute(REMOVE_GROUP, {"id": g2["id"]}, tenant=tenant)
    assert _error(again, "snuSessionsRemoveGroup") == ("NOT_FOUND", "id")

    # Attendance noted by mistake is cleared (null), then the group may go.
    cleared = {"sessionId": day["id"], "groups": [{"groupId": g1["id"], "present": None}]}
    ok(
        await graphql.execute(ATTENDANCE, {"input": cleared}, tenant=tenant),
        "snuSessionsRecordAttendance",
    )
    done = ok(
        await graphql.execute(REMOVE_GROUP, {"id": g1["id"]}, tenant=tenant),
        "snuSessionsRemoveGroup",
    )
    assert done["session"]["groups"] == [] and done["session"]["present"] is None


async def test_a_day_is_cancelled_with_its_reason_and_reinstated(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    group = (await add_group(graphql, tenant, session["id"], "G1", 30))["group"]
    scheduled = await schedule(
        graphql, tenant, session["id"], cap=40, before_open=NOW - dt.timedelta(hours=1)
    )
    code = scheduled["quiz"]["linkCode"]
    year = dt.date.today().year
    assert payload(await graphql.execute(FIGURE, {"year": year}, tenant=tenant), "figure") == {
        "total": 1
    }

    for given, expected in (
        ({"reason": "bored"}, ("VALIDATION", "input.reason")),
        ({"reason": "other"}, ("VALIDATION", "input.note")),
        ({"reason": "other", "note": "é" * 5001}, ("VALIDATION", "input.note")),
    ):
        result = await graphql.execute(CANCEL, {"id": session["id"], "input": given}, tenant=tenant)
        assert _error(result, "snuSessionsCancelSession") == expected, given
    cancelled = ok(
        await graphql.execute(
            CANCEL,
            {"id": session["id"], "input": {"reason": "snu_cancelled", "note": "Séjour reporté"}},
            tenant=tenant,
        ),
        "snuSessionsCancelSession",
    )["session"]
    assert cancelled["status"] == {"value": "cancelled", "label": "Annulée"}
    assert cancelled["cancelReason"]["value"] == "snu_cancelled"
    assert cancelled["cancelNote"] == "Séjour reporté"

    # A cancelled day counts nowhere and takes nothing that says it took place.
    assert payload(await graphql.execute(FIGURE, {"year": year}, tenant=tenant), "figure") == {
        "total": 0
    }
    present = {"sessionId": session["id"], "groups": [{"groupId": group["id"], "present": 3}]}
    refused = await graphql.execute(ATTENDANCE, {"input": present}, tenant=tenant)
    assert _error(refused, "snuSessionsRecordAttendance") == ("CONFLICT", "input.sessionId")
    moved = {"sessionId": session["id"], "cap": 40, **windows(NOW)}
    refused = await graphql.execute(SCHEDULE, {"input": moved}, tenant=tenant)
    assert _error(refused, "snuSessionsScheduleQuiz") == ("CONFLICT", "input.sessionId")
    pole = sdk.PublicPole(tenant.id, tenant.slug, tenant.name, maillage_db)
    with pytest.raises(quiz.QuizRefused) as closed:
        await quiz.answer(pole, code, phase="before", given=quiz_form("before", 3))
    assert closed.value.reason == "closed"
    again = await graphql.execute(
        CANCEL, {"id": session["id"], "input": {"reason": "weather_or_health"}}, tenant=tenant
    )
    assert _error(again, "snuSessionsCancelSession") == ("CONFLICT", "id")
    # Its plan can still be corrected.
    ok(
        await graphql.execute(
            RECORD_GROUP,
            {"input": {"sessionId": session["id"], "name": "G1", "size": 32}, "id": group["id"]},
            tenant=tenant,
        ),
        "snuSessionsRecordGroup",
    )

    back = ok(
        await graphql.execute(REINSTATE, {"id": session["id"]}, tenant=tenant),
        "snuSessionsReinstateSession",
    )["session"]
    assert (back["status"]["value"], back["cancelReason"], back["cancelNote"]) == (
        "planned",
        None,
        "",
    )
    assert payload(await graphql.execute(FIGURE, {"year": year}, tenant=tenant), "figure") == {
        "total": 1
    }
    assert await quiz.answer(pole, code, phase="before", given=quiz_form("before", 3)) is None
    again = await graphql.execute(REINSTATE, {"id": session["id"]}, tenant=tenant)
    assert _error(again, "snuSessionsReinstateSession") == ("CONFLICT", "id")


async def test_a_day_that_took_place_cannot_be_cancelled(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    answered = await answered_day(graphql, tenant, maillage_db)
    result = await graphql.execute(
        CANCEL, {"id": answered["id"], "input": {"reason": "snu_cancelled"}}, tenant=tenant
    )
    assert _error(result, "snuSessionsCancelSession") == ("CONFLICT", "id")
    assert (await _shown(graphql, tenant, answered["id"]))["status"]["value"] == "planned"


async def test_another_poles_session_and_groups_cannot_be_corrected(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    mine = await _pole(make_tenant, enable_plugin)
    theirs = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, mine)
    group = (await add_group(graphql, mine, session["id"], "G1", 30))["group"]
    before = await _shown(graphql, mine, session["id"])

    attempts = (
        (RECORD_SESSION, {"input": session_input(centre="Pris"), "id": session["id"]}),
        (
            RECORD_GROUP,
            {"input": {"sessionId": session["id"], "name": "Pris", "size": 1}, "id": group["id"]},
        ),
        (REMOVE_GROUP, {"id": group["id"]}),
        (CANCEL, {"id": session["id"], "input": {"reason": "snu_cancelled"}}),
        (REINSTATE, {"id": session["id"]}),
    )
    for query, variables in attempts:
        result = await graphql.execute(query, variables, tenant=theirs)
        (field,) = result["data"].keys()
        errors = payload(result, field)["errors"]
        assert [e["code"] for e in errors] == ["NOT_FOUND"], (field, errors)
    # A group id of their own pole with my session: not found either.
    own = await record_session(graphql, theirs)
    result = await graphql.execute(
        RECORD_GROUP,
        {"input": {"sessionId": own["id"], "name": "Pris", "size": 1}, "id": group["id"]},
        tenant=theirs,
    )
    assert _error(result, "snuSessionsRecordGroup") == ("NOT_FOUND", "id")
    assert await _shown(graphql, mine, session["id"]) == before

    # A reader of the pole (a psychologist) reads, but corrects nothing.
    reader = make_actor("psychologist")
    result = await graphql.execute(
        CANCEL,
        {"id": session["id"], "input": {"reason": "snu_cancelled"}},
        tenant=mine,
        actor=reader,
    )
    assert "FORBIDDEN" in error_codes(result)
    assert "FORBIDDEN" in error_codes(await graphql.execute(STAFF, tenant=mine, actor=reader))
