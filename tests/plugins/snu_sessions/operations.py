"""GraphQL documents and small steps shared by the snu_sessions tests: the calls a
pole's staff makes, through the real app."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from strawberry import relay

from core import sdk
from core.domain.kits.models import Kit
from core.domain.structures.models import Partner
from plugins.snu_sessions import quiz
from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, ItemKind

CALAIS = "62193"
ARRAS = "62041"

SESSION_FIELDS = """
id centre commune { inseeCode name } startsOn endsOn
methods { value label } objectives { value } notes youngPeople present
status { value label } cancelReason { value label } cancelNote
groups { id name size present
         facilitators { staffMember { userId displayName } partner { name } } }
materials { id name }
quiz { linkCode path windows { phase { value } opensAt closesAt cap accepted
                               refusedClosed refusedFull refusedDuplicate openNow } }
"""
RECORD_SESSION = f"""
mutation($input: SnuSessionsSessionInput!, $id: ID) {{
  snuSessionsRecordSession(input: $input, id: $id) {{
    session {{ {SESSION_FIELDS} }}
    errors {{ code field message }}
  }}
}}
"""
RECORD_GROUP = f"""
mutation($input: SnuSessionsGroupInput!, $id: ID) {{
  snuSessionsRecordGroup(input: $input, id: $id) {{
    group {{ id name size }}
    session {{ {SESSION_FIELDS} }}
    errors {{ code field message }}
  }}
}}
"""
ATTENDANCE = """
mutation($input: SnuSessionsAttendanceInput!) {
  snuSessionsRecordAttendance(input: $input) {
    session { id present groups { name present } }
    errors { code field message }
  }
}
"""
SCHEDULE = """
mutation($input: SnuSessionsScheduleQuizInput!) {
  snuSessionsScheduleQuiz(input: $input) {
    session { id quiz { linkCode path windows { phase { value } cap openNow } } }
    errors { code field message }
  }
}
"""
CANCEL = f"""
mutation($id: ID!, $input: SnuSessionsCancelInput!) {{
  snuSessionsCancelSession(id: $id, input: $input) {{
    session {{ {SESSION_FIELDS} }}
    errors {{ code field message }}
  }}
}}
"""
REINSTATE = f"""
mutation($id: ID!) {{
  snuSessionsReinstateSession(id: $id) {{
    session {{ {SESSION_FIELDS} }}
    errors {{ code field message }}
  }}
}}
"""
REMOVE_GROUP = f"""
mutation($id: ID!) {{
  snuSessionsRemoveGroup(id: $id) {{
    session {{ {SESSION_FIELDS} }}
    errors {{ code field message }}
  }}
}}
"""
SESSIONS = f"""
query($year: Int) {{ snuSessions {{ sessions(year: $year, first: 100) {{
  totalCount edges {{ node {{ {SESSION_FIELDS} }} }}
}} }} }}
"""
SESSION = f"query($id: ID!) {{ snuSessions {{ session(id: $id) {{ {SESSION_FIELDS} }} }} }}"
RESULTS = """
query($id: ID, $year: Int) { snuSessions { results(sessionId: $id, year: $year) {
  nBefore nAfter pairs threshold knowledgeBefore knowledgeAfter
  knowledge { method n estimate low high }
  attitude { method n estimate low high }
  items { key before after nBefore nAfter change { method n estimate } }
} } }
"""


def payload(result: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"][field]


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    found = payload(result, field)
    assert found["errors"] == [], found["errors"]
    return found


def foreign_id(type_name: str) -> str:
    return relay.to_base64(type_name, str(uuid.uuid4()))


def session_input(**change: Any) -> dict[str, Any]:
    day = dt.date.today().isoformat()
    return {
        "centre": "Centre SNU du lycée des Dunes",
        "communeInsee": CALAIS,
        "startsOn": day,
        "endsOn": day,
        "methods": ["quiz", "boccia"],
        "objectives": ["missions", "representations"],
        **change,
    }


async def record_session(graphql: Any, tenant: Any, **change: Any) -> dict[str, Any]:
    result = await graphql.execute(
        RECORD_SESSION, {"input": session_input(**change)}, tenant=tenant
    )
    return ok(result, "snuSessionsRecordSession")["session"]


async def add_group(
    graphql: Any, tenant: Any, session_id: str, name: str, size: int, **more: Any
) -> dict[str, Any]:
    result = await graphql.execute(
        RECORD_GROUP,
        {"input": {"sessionId": session_id, "name": name, "size": size, **more}},
        tenant=tenant,
    )
    return ok(result, "snuSessionsRecordGroup")


def windows(
    before_open: dt.datetime, hours: float = 2, gap: float = 5
) -> dict[str, dict[str, str]]:
    before_close = before_open + dt.timedelta(hours=hours)
    after_open = before_close + dt.timedelta(hours=gap)
    return {
        "before": {"opensAt": before_open.isoformat(), "closesAt": before_close.isoformat()},
        "after": {
            "opensAt": after_open.isoformat(),
            "closesAt": (after_open + dt.timedelta(hours=hours)).isoformat(),
        },
    }


async def schedule(
    graphql: Any, tenant: Any, session_id: str, *, cap: int, before_open: dt.datetime
) -> dict[str, Any]:
    result = await graphql.execute(
        SCHEDULE,
        {"input": {"sessionId": session_id, "cap": cap, **windows(before_open)}},
        tenant=tenant,
    )
    return ok(result, "snuSessionsScheduleQuiz")["session"]


async def kit_and_partner(db: Any, tenant: Any) -> tuple[str, str]:
    """A kit and a partner of the pole (global ids), made as core would hold them."""
    async with db.session(tenant.id) as session:
        kit = Kit(name="Malle boccia", search_name="malle boccia", theme="motor")
        partner = Partner(name="CAMSP de Calais", search_name="camsp de calais", kind="camsp")
        session.add_all([kit, partner])
        await session.commit()
        return relay.to_base64("Kit", str(kit.id)), relay.to_base64("Partner", str(partner.id))


KNOWLEDGE = [i for i in DEFAULT_QUIZ if i.kind is ItemKind.KNOWLEDGE]


def quiz_form(phase: str, right: int) -> dict[str, str]:
    """A phone's answers with the first ``right`` knowledge items right, the others
    wrong, every attitude statement at 3."""
    form = {"phase": phase}
    for n, item in enumerate(KNOWLEDGE):
        assert item.right is not None
        form[item.key] = str(item.right if n < right else (item.right + 1) % len(item.choices))
    for item in DEFAULT_QUIZ:
        form.setdefault(item.key, "3")
    return form


async def answered_day(graphql: Any, tenant: Any, db: Any, **change: Any) -> dict[str, Any]:
    """A day of this year: group G1 (30, 28 present), group G2 (25, attendance not noted),
    its quiz answered through the quiz's own service (the public pages' path): 5 answers
    before with 2 of the 5 knowledge items right (10/25), 4 after with 4 right (16/20)."""
    session = await record_session(graphql, tenant, **change)
    group = (await add_group(graphql, tenant, session["id"], "G1", 30))["group"]
    await add_group(graphql, tenant, session["id"], "G2", 25)
    present = {"sessionId": session["id"], "groups": [{"groupId": group["id"], "present": 28}]}
    ok(
        await graphql.execute(ATTENDANCE, {"input": present}, tenant=tenant),
        "snuSessionsRecordAttendance",
    )
    now = dt.datetime.now(dt.UTC)
    scheduled = await schedule(
        graphql, tenant, session["id"], cap=50, before_open=now - dt.timedelta(hours=8)
    )
    code = scheduled["quiz"]["linkCode"]
    pole = sdk.PublicPole(tenant.id, tenant.slug, tenant.name, db)
    for phase, count, right, at in (("before", 5, 2, 7), ("after", 4, 4, 1)):
        for _ in range(count):
            await quiz.answer(
                pole,
                code,
                phase=phase,
                given=quiz_form(phase, right),
                now=now - dt.timedelta(hours=at),
            )
    return session
