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
from core.domain.casework.task_pages import task_link
from core.hooks import hookimpl

# The cards a person sees follow their actions (the operations are run only then).
CASEWORK_READ, OUTREACH_READ = "casework.read", "outreach.read"
# Each card shows this many of its list (the oldest reminders, the soonest kits
# first) and how many there are in all, with a link to the whole list: the API
# computes and sends only what the card shows (a pole's backlog of reminders is
# hundreds on the bench data), so the page costs the same whatever the backlog.
SHOWN = 10
NOTICES = {"pole": "Vous travaillez maintenant dans ce pôle."}


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _listed(found: dict[str, Any] | None) -> dict[str, Any]:
    """A card's list: its first items (``items``) and how many there are (``total``)."""
    found = found or {"totalCount": 0, "edges": []}
    return {"total": found["totalCount"], "items": [edge["node"] for edge in found["edges"]]}


def _tasks(found: dict[str, Any] | None) -> dict[str, Any]:
    listed = _listed(found)
    listed["items"] = [{**t, "link": task_link(t)} for t in listed["items"]]
    return listed


async def today(view: PageView) -> Response:
    day = dt.date.today()
    monday, sunday = _week(day)
    answer = await view.run(
        "Home", weekStart=monday.isoformat(), weekEnd=sunday.isoformat(), shown=SHOWN
    )
    data = answer.data or {}
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
        reminders=_tasks(data.get("reminders")),
        idle=_tasks(data.get("idle")),
        waiting=_listed(data.get("waiting")),
        leaving=_listed(data.get("leaving")),
        back=_listed(data.get("returning")),
        late=(data.get("late") or {}).get("totalCount") or 0,
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
