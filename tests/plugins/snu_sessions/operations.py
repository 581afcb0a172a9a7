"""GraphQL documents and small steps shared by the snu_sessions tests: the calls a
pole's staff makes, through the real app."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from strawberry import relay

from core.domain.kits.models import Kit
from core.domain.structures.models import Partner

CALAIS = "62193"
ARRAS = "62041"

SESSION_FIELDS = """
id centre commune { inseeCode name } startsOn endsOn
methods { value label } objectives { value } notes youngPeople present
groups { id name size present
         facilitators { staffMember { displayName } partner { name } } }
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
