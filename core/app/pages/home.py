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

# The cards a person sees follow their actions (their part of the operation is run only
# then).
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
    actor = view.context.actor
    # One operation for the whole page (decision 194): the cards of « Mes suivis en
    # cours » and « Sensibilisations récentes » are in it, included for those whose role
    # reads them (otherwise not run, and not shown).
    with_follow_ups = view.can(CASEWORK_READ) and actor is not None and actor.user_id is not None
    with_sessions = view.can(OUTREACH_READ)
    answer = await view.run(
        "Home",
        weekStart=monday.isoformat(),
        weekEnd=sunday.isoformat(),
        shown=SHOWN,
        withFollowUps=with_follow_ups,
        me=str(actor.user_id) if with_follow_ups and actor is not None else None,
        withSessions=with_sessions,
        until=(day + dt.timedelta(days=1)).isoformat(),
    )
    data = answer.data or {}
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
        mine=_my_follow_ups(data.get("mine")) if with_follow_ups else None,
        sessions=_recent_sessions(data.get("sessions")) if with_sessions else None,
        panels=panels,
        unavailable=answer.data is None,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


def _my_follow_ups(found: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The person's open follow-ups, the most recent first."""
    return [
        {
            **edge["node"],
            "last": (edge["node"]["interventions"] or [None])[-1],
            "request": global_id("Request", edge["node"].get("requestId")),
        }
        for edge in (found or {}).get("edges", [])
    ]


def _recent_sessions(found: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (found or {}).get("edges", [])]


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
            Page("/", today, operations=("Home",)),
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
