"""The plugin's figures: sessions, young people reached (present), answers by phase and
the share of right answers before and after, from answers given through the quiz's own
service (the public pages' path)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import sdk
from plugins.snu_sessions import quiz
from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, ItemKind
from tests.plugins.snu_sessions.operations import (
    ATTENDANCE,
    add_group,
    ok,
    payload,
    record_session,
    schedule,
)

FIGURE = """
query($name: String!, $dims: [String!], $year: Int!) {
  figure(name: $name, year: $year, dimensions: $dims) {
    total cells { values { dimension code label } value }
  }
}
"""
KNOWLEDGE = [i for i in DEFAULT_QUIZ if i.kind is ItemKind.KNOWLEDGE]


def _form(phase: str, right: int) -> dict[str, str]:
    """Answers with the first ``right`` knowledge items right, the others wrong."""
    form = {"phase": phase}
    for n, item in enumerate(KNOWLEDGE):
        assert item.right is not None
        form[item.key] = str(item.right if n < right else (item.right + 1) % len(item.choices))
    for item in DEFAULT_QUIZ:
        form.setdefault(item.key, "3")
    return form


async def _figure(graphql: Any, tenant: Any, name: str, *dims: str) -> dict[str, Any]:
    year = dt.date.today().year
    result = await graphql.execute(
        FIGURE, {"name": name, "dims": list(dims), "year": year}, tenant=tenant
    )
    return payload(result, "figure")


async def test_the_days_figures(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    session = await record_session(graphql, tenant)
    one = await add_group(graphql, tenant, session["id"], "G1", 30)
    await add_group(graphql, tenant, session["id"], "G2", 25)  # attendance not noted
    group = one["group"]
    ok(
        await graphql.execute(
            ATTENDANCE,
            {
                "input": {
                    "sessionId": session["id"],
                    "groups": [{"groupId": group["id"], "present": 28}],
                }
            },
            tenant=tenant,
        ),
        "snuSessionsRecordAttendance",
    )
    now = dt.datetime.now(dt.UTC)
    scheduled = await schedule(
        graphql, tenant, session["id"], cap=50, before_open=now - dt.timedelta(hours=8)
    )
    code = scheduled["quiz"]["linkCode"]
    pole = sdk.PublicPole(tenant.id, tenant.slug, tenant.name, maillage_db)
    before, after = now - dt.timedelta(hours=7), now - dt.timedelta(hours=1)
    # Before: 5 answers with 2 of the 5 knowledge items right (10/25); after: 4 with 4 (16/20).
    for _ in range(5):
        await quiz.answer(pole, code, phase="before", given=_form("before", 2), now=before)
    for _ in range(4):
        await quiz.answer(pole, code, phase="after", given=_form("after", 4), now=after)

    assert (await _figure(graphql, tenant, "snu_sessions.sessions"))["total"] == 1
    reached = await _figure(graphql, tenant, "snu_sessions.young_people", "commune")
    assert reached["total"] == 28
    assert [c["values"][0]["label"] for c in reached["cells"]] == ["Calais"]
    answers = await _figure(graphql, tenant, "snu_sessions.answers", "phase")
    assert answers["total"] == 9
    assert {c["values"][0]["code"]: c["value"] for c in answers["cells"]} == {
        "before": 5,
        "after": 4,
    }
    right = await _figure(graphql, tenant, "snu_sessions.right_answers", "phase")
    shares = {c["values"][0]["label"]: c["value"] for c in right["cells"]}
    assert shares == {"Avant la journée": 0.4, "Après la journée": 0.8}
    assert right["total"] == round((10 + 16) / 45, 4)  # core rounds a mean to 4 places
