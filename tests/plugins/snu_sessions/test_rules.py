"""What the plugin records and refuses, through GraphQL as a pole's staff uses it: bad
input (coded, naming the field, nothing written), another pole's rows, a pole that did
not enable it, a role without the action; and lists whose statement count does not grow
with their length."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event

from core.testing.client import error_codes
from tests.plugins.snu_sessions.operations import (
    ARRAS,
    ATTENDANCE,
    RECORD_GROUP,
    RECORD_SESSION,
    SCHEDULE,
    SESSION,
    SESSIONS,
    add_group,
    answered_day,
    foreign_id,
    kit_and_partner,
    ok,
    payload,
    record_session,
    schedule,
    session_input,
    windows,
)

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


async def _pole(make_tenant: Any, enable_plugin: Any, departement: str = "62") -> Any:
    tenant = await make_tenant(departement)
    await enable_plugin(tenant, "snu_sessions")
    return tenant


def _error(result: dict[str, Any], field: str) -> dict[str, Any]:
    errors = payload(result, field)["errors"]
    assert len(errors) == 1, errors
    return errors[0]


async def test_a_session_with_groups_facilitators_kits_and_attendance(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any, make_actor: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    kit, partner = await kit_and_partner(maillage_db, tenant)
    session = await record_session(graphql, tenant, kitIds=[kit], methods=["boccia", "quiz"])
    assert session["commune"]["name"] == "Calais"
    assert [m["value"] for m in session["methods"]] == ["quiz", "boccia"]  # vocabulary order
    assert [k["name"] for k in session["materials"]] == ["Malle boccia"]
    a = await add_group(graphql, tenant, session["id"], "Maisonnée A", 34, partnerIds=[partner])
    b = await add_group(graphql, tenant, session["id"], "Maisonnée B", 33)
    assert a["session"]["youngPeople"] == 34
    assert b["session"]["youngPeople"] == 67 and b["session"]["present"] is None
    group_a = next(g for g in b["session"]["groups"] if g["name"] == "Maisonnée A")
    assert group_a["facilitators"] == [
        {"staffMember": None, "partner": {"name": "CAMSP de Calais"}}
    ]

    done = ok(
        await graphql.execute(
            ATTENDANCE,
            {
                "input": {
                    "sessionId": session["id"],
                    "groups": [{"groupId": group_a["id"], "present": 31}],
                }
            },
            tenant=tenant,
        ),
        "snuSessionsRecordAttendance",
    )
    assert done["session"]["present"] == 31


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"centre": "  "}, "VALIDATION", "input.centre"),
        ({"communeInsee": "00000"}, "VALIDATION", "input.communeInsee"),
        (
            {"endsOn": (dt.date.today() - dt.timedelta(days=1)).isoformat()},
            "VALIDATION",
            "input.endsOn",
        ),
        ({"methods": ["karaoke"]}, "VALIDATION", "input.methods"),
        ({"objectives": ["fun"]}, "VALIDATION", "input.objectives"),
        ({"kitIds": [foreign_id("Kit")]}, "NOT_FOUND", "input.kitIds"),
    ],
)
async def test_recording_bad_input_names_the_field_and_writes_nothing(
    make_tenant: Any,
    enable_plugin: Any,
    graphql: Any,
    change: dict[str, Any],
    code: str,
    field: str,
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    result = await graphql.execute(
        RECORD_SESSION, {"input": session_input(**change)}, tenant=tenant
    )
    error = _error(result, "snuSessionsRecordSession")
    assert (error["code"], error["field"]) == (code, field) and error["message"]
    listed = payload(await graphql.execute(SESSIONS, tenant=tenant), "snuSessions")
    assert listed["sessions"]["totalCount"] == 0


async def test_groups_and_attendance_refuse_what_cannot_be(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    group = (await add_group(graphql, tenant, session["id"], "Groupe 1", 30))["group"]
    for more, code, field in (
        ({"name": "Groupe 2", "size": 0}, "VALIDATION", "input.size"),
        ({"name": "Groupe 1", "size": 20}, "CONFLICT", "input.name"),
        (
            {"name": "Groupe 3", "size": 20, "partnerIds": [foreign_id("Partner")]},
            "NOT_FOUND",
            "input.partnerIds",
        ),
        (
            {"name": "Groupe 4", "size": 20, "staffIds": [foreign_id("Member")]},
            "NOT_FOUND",
            "input.staffIds",
        ),
    ):
        result = await graphql.execute(
            RECORD_GROUP, {"input": {"sessionId": session["id"], **more}}, tenant=tenant
        )
        error = _error(result, "snuSessionsRecordGroup")
        assert (error["code"], error["field"]) == (code, field), more

    # Attendance above the group's size: refused whole, nothing noted.
    result = await graphql.execute(
        ATTENDANCE,
        {
            "input": {
                "sessionId": session["id"],
                "groups": [{"groupId": group["id"], "present": 31}],
            }
        },
        tenant=tenant,
    )
    error = _error(result, "snuSessionsRecordAttendance")
    assert (error["code"], error["field"]) == ("VALIDATION", "input.groups")
    shown = payload(
        await graphql.execute(SESSION, {"id": session["id"]}, tenant=tenant), "snuSessions"
    )
    assert [g["name"] for g in shown["session"]["groups"]] == ["Groupe 1"]
    assert shown["session"]["groups"][0]["present"] is None


async def test_the_quiz_windows_and_cap_are_checked(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    session = await record_session(graphql, tenant)
    overlapping = windows(NOW, hours=2, gap=-1)
    for given, field in (
        ({**overlapping, "cap": 50}, "input.after.opensAt"),
        ({**windows(NOW), "cap": 0}, "input.cap"),
        (
            {
                **windows(NOW),
                "before": {"opensAt": NOW.isoformat(), "closesAt": NOW.isoformat()},
                "cap": 5,
            },
            "input.before.closesAt",
        ),
    ):
        result = await graphql.execute(
            SCHEDULE, {"input": {"sessionId": session["id"], **given}}, tenant=tenant
        )
        assert _error(result, "snuSessionsScheduleQuiz")["field"] == field
    scheduled = await schedule(graphql, tenant, session["id"], cap=40, before_open=NOW)
    quiz = scheduled["quiz"]
    assert (
        len(quiz["linkCode"]) == 6
        and quiz["path"] == f"/p/{tenant.slug}/snu_sessions/{quiz['linkCode']}"
    )
    assert [w["openNow"] for w in quiz["windows"]] == [True, False]
    # Moving the windows keeps the link.
    again = await schedule(
        graphql, tenant, session["id"], cap=45, before_open=NOW - dt.timedelta(hours=1)
    )
    assert again["quiz"]["linkCode"] == quiz["linkCode"]


async def test_another_poles_session_is_not_found_and_a_disabled_pole_sees_nothing(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    a = await _pole(make_tenant, enable_plugin)
    b = await _pole(make_tenant, enable_plugin)
    mine = await record_session(graphql, a)
    result = await graphql.execute(SESSION, {"id": mine["id"]}, tenant=b)
    assert error_codes(result) == ["NOT_FOUND"]
    result = await graphql.execute(
        RECORD_GROUP, {"input": {"sessionId": mine["id"], "name": "Intrus", "size": 3}}, tenant=b
    )
    assert _error(result, "snuSessionsRecordGroup")["code"] == "NOT_FOUND"
    listed = payload(await graphql.execute(SESSIONS, tenant=b), "snuSessions")
    assert listed["sessions"]["totalCount"] == 0

    await enable_plugin(a, "snu_sessions", enabled=False)
    result = await graphql.execute(SESSIONS, tenant=a)
    assert error_codes(result) == ["PLUGIN_DISABLED"]
    await enable_plugin(a, "snu_sessions")
    # Data is kept while disabled.
    listed = payload(await graphql.execute(SESSIONS, tenant=a), "snuSessions")
    assert listed["sessions"]["totalCount"] == 1

    # A reader reads, but does not record.
    reader = make_actor("referent", grants=["snu_sessions.read"])
    result = await graphql.execute(
        RECORD_SESSION, {"input": session_input()}, tenant=a, actor=reader
    )
    assert "FORBIDDEN" in error_codes(result)


async def test_listing_sessions_takes_as_many_statements_for_six_as_for_two(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    kit, partner = await kit_and_partner(maillage_db, tenant)

    async def one_more(n: int) -> None:
        session = await record_session(graphql, tenant, kitIds=[kit], centre=f"Centre {n}")
        for g in range(3):
            await add_group(graphql, tenant, session["id"], f"G{g}", 30, partnerIds=[partner])
        await schedule(graphql, tenant, session["id"], cap=100, before_open=NOW)

    async def count() -> int:
        statements: list[str] = []

        def seen(*args: Any) -> None:
            statements.append(args[2])

        event.listen(maillage_db.engine.sync_engine, "before_cursor_execute", seen)
        try:
            result = await graphql.execute(SESSIONS, tenant=tenant)
        finally:
            event.remove(maillage_db.engine.sync_engine, "before_cursor_execute", seen)
        assert "errors" not in result, result
        return len(statements)

    for n in range(2):
        await one_more(n)
    with_two = await count()
    for n in range(2, 6):
        await one_more(n)
    assert await count() == with_two
    assert ARRAS  # the other commune of the module's tests, used by the pages' tests


DELETE = """
mutation($id: ID!) { snuSessionsDeleteSession(id: $id) { errors { code field message } } }
"""


async def test_a_session_with_answers_is_kept_one_without_is_deleted(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    answered = await answered_day(graphql, tenant, maillage_db)
    kept = await graphql.execute(DELETE, {"id": answered["id"]}, tenant=tenant)
    error = _error(kept, "snuSessionsDeleteSession")
    assert (error["code"], error["field"]) == ("CONFLICT", "id")

    empty = await record_session(graphql, tenant, centre="Centre annulé")
    await add_group(graphql, tenant, empty["id"], "G1", 20)
    await schedule(graphql, tenant, empty["id"], cap=30, before_open=NOW)
    ok(
        await graphql.execute(DELETE, {"id": empty["id"]}, tenant=tenant),
        "snuSessionsDeleteSession",
    )
    gone = await graphql.execute(SESSION, {"id": empty["id"]}, tenant=tenant)
    assert error_codes(gone) == ["NOT_FOUND"]
    listed = payload(await graphql.execute(SESSIONS, tenant=tenant), "snuSessions")
    assert listed["sessions"]["totalCount"] == 1
