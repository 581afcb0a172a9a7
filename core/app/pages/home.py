"""Core feature: the web app's home page « Aujourd'hui » and the pole switch.

Contributed through the same hooks as every other screen (``maillage_pages``,
``maillage_navigation``); the layout and the gate are core.app.pages.engine's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from core.api.pages import FormErrors, PageView, global_id
from core.contributions import NavEntry, Page, PageContribution
from core.hooks import hookimpl

# The cards a person sees follow their actions (the operations are run only then).
CASEWORK_READ, OUTREACH_READ = "casework.read", "outreach.read"
# A card lists the oldest reminders first, this many at most: a pole's whole backlog
# (hundreds on the bench data) is a count, not a page of links.
SHOWN = 25
NOTICES = {"pole": "Vous travaillez maintenant dans ce pôle."}


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _task_link(task: dict[str, Any]) -> str | None:
    # A task names its record by its plain id; a page's URL carries the node id.
    if task.get("requestId"):
        return f"/demandes/{global_id('Request', task['requestId'])}"
    if task.get("receptionPlanId"):
        return f"/projets-accueil/{global_id('ReceptionPlan', task['receptionPlanId'])}"
    if task.get("followUpId"):
        return f"/suivis/{global_id('FollowUp', task['followUpId'])}"
    return None


async def today(view: PageView) -> Response:
    day = dt.date.today()
    monday, sunday = _week(day)
    answer = await view.run("Home", weekStart=monday.isoformat(), weekEnd=sunday.isoformat())
    data = answer.data or {}
    tasks = [{**t, "link": _task_link(t)} for t in data.get("tasks") or []]
    loans = [edge["node"] for edge in (data.get("loans") or {}).get("edges", [])]
    in_week = monday.isoformat(), sunday.isoformat()
    leaving = [
        loan
        for loan in loans
        if loan["status"]["value"] == "confirmed" and in_week[0] <= loan["startsOn"] <= in_week[1]
    ]
    back = [
        loan for loan in loans if loan["status"]["value"] == "out" and loan["endsOn"] <= in_week[1]
    ]
    waiting = data.get("waiting") or {"totalCount": 0, "edges": []}
    mine = await _my_follow_ups(view)
    sessions = await _recent_sessions(view)
    # What plugins put on the home page (``maillage_panels``, slot "home"): their
    # alerts for the day, e.g. a workshop below its minimum.
    panels = await view.panels("home")
    return view.render(
        "home.html",
        title="Aujourd'hui",
        day=day,
        week=(monday, sunday),
        reminders=[t for t in tasks if t["kind"]["value"] != "follow_up_idle"],
        idle=[t for t in tasks if t["kind"]["value"] == "follow_up_idle"],
        shown=SHOWN,
        waiting=[edge["node"] for edge in waiting["edges"]],
        waiting_count=waiting["totalCount"],
        leaving=leaving,
        back=back,
        mine=mine,
        sessions=sessions,
        panels=panels,
        unavailable=answer.data is None,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def _my_follow_ups(view: PageView) -> list[dict[str, Any]] | None:
    """The person's open follow-ups, the most recent first; None when the person
    may not read follow-ups (the card is not shown)."""
    actor = view.context.actor
    if not view.can(CASEWORK_READ) or actor is None or actor.user_id is None:
        return None
    answer = await view.run("HomeFollowUps", me=str(actor.user_id))
    found = ((answer.data or {}).get("followUps") or {}).get("edges", [])
    return [
        {
            **edge["node"],
            "last": (edge["node"]["interventions"] or [None])[-1],
            "request": global_id("Request", edge["node"].get("requestId")),
        }
        for edge in found
    ]


async def _recent_sessions(view: PageView) -> list[dict[str, Any]] | None:
    if not view.can(OUTREACH_READ):
        return None
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    answer = await view.run("HomeSessions", until=tomorrow.isoformat())
    found = ((answer.data or {}).get("awarenessSessions") or {}).get("edges", [])
    return [edge["node"] for edge in found]


async def poles(view: PageView) -> Response:
    errors = FormErrors()
    if view.request.method == "POST":
        answer = await view.run("SwitchPole", pole=view.value("pole"))
        errors = FormErrors.of(answer, "switchTenant", form_fields=["pole"])
        if not errors:
            return view.redirect("/", ok="pole")
    answer = await view.run("MyPoles")
    viewer = (answer.data or {}).get("viewer") or {}
    return view.render(
        "poles.html",
        title="Changer de pôle" if view.context.tenant is not None else "Choisir un pôle",
        memberships=viewer.get("memberships") or [],
        errors=errors,
    )


@hookimpl
def maillage_pages() -> PageContribution:
    return PageContribution(
        pages=[
            Page("/", today, operations=("Home", "HomeFollowUps", "HomeSessions")),
            Page(
                "/pole",
                poles,
                methods=("GET", "POST"),
                operations=("MyPoles", "SwitchPole"),
                needs_pole=False,
            ),
        ]
    )


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return [NavEntry("Aujourd'hui", "/", order=0)]
