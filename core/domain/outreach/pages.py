"""The sensitisation screens of the web app: the sessions of a year with the report
table (by commune × audience × duration) and its printable version, and recording a
session; the events (forums, stands…) the same way, their table by commune × kind.
Everything through named operations (graphql/operations/Outreach.graphql); the
commune is named as on a family's file, by its name or its INSEE code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from starlette.responses import Response

from core.api.forms import commune_field, connection_nodes, count_field, date_field, year_param
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.domain.outreach.service import MANAGE, READ
from core.domain.outreach.vocabulary import duration_label

TEMPLATES = Path(__file__).with_name("templates")
NOTICES = {
    "recorded": "La sensibilisation est enregistrée.",
    "event": "L'événement est enregistré.",
}
SESSION_FIELDS = (
    "kind",
    "audience",
    "commune",
    "remote",
    "heldOn",
    "halfDays",
    "participantsCount",
    "title",
)
# The durations a person picks from (the API takes any count of half days up to its limit).
DURATIONS = [{"value": str(n), "label": duration_label(n)} for n in range(1, 7)]
EVENT_FIELDS = ("kind", "commune", "heldOn", "peopleReached", "title", "notes")


async def session_list(view: PageView) -> Response:
    year = year_param(view)
    answer = await view.run(
        "SessionList",
        start=f"{year}-01-01",
        end=f"{year + 1}-01-01",
        year=year,
        after=view.value("apres") or None,
    )
    data = answer.data or {}
    sessions, total = connection_nodes(data, "awarenessSessions")
    found = data.get("awarenessSessions") or EMPTY_CONNECTION
    return view.render(
        "sessions/list.html",
        title=f"Sensibilisations {year}",
        year=year,
        sessions=sessions,
        total=total,
        pages=Pager.of(view, "/sensibilisations", found, {"annee": str(year)}),
        table=data.get("awarenessSessionTable"),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def new_session(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in SESSION_FIELDS}
    if view.request.method == "GET":
        given["heldOn"] = dt.date.today().isoformat()
        given["halfDays"] = "1"
    else:
        held = date_field(errors, "heldOn", given["heldOn"], required=True)
        count = count_field(errors, "participantsCount", given["participantsCount"], required=True)
        remote = given["remote"] == "1"
        # A session by video has no commune: the API says so if one is typed anyway.
        insee = given["commune"] if remote else await commune_field(view, errors, given["commune"])
        if not errors:
            answer = await view.run(
                "RecordSession",
                input={
                    "kind": given["kind"],
                    "audience": given["audience"],
                    "communeInsee": insee or "",
                    "remote": remote,
                    "heldOn": held,
                    "halfDays": int(given["halfDays"] or 0),
                    "participantsCount": count,
                    "title": given["title"],
                },
            )
            errors = FormErrors.of(
                answer,
                "recordAwarenessSession",
                form_fields=SESSION_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                year = dt.date.fromisoformat(str(held)).year
                return view.redirect("/sensibilisations", annee=str(year), ok="recorded")
    form = await view.run("SessionForm")
    data = form.data or {}
    return view.render(
        "sessions/new.html",
        status_code=400 if errors else 200,
        title="Enregistrer une sensibilisation",
        given=given,
        errors=errors,
        kinds=data.get("awarenessSessionKinds") or [],
        audiences=data.get("awarenessAudiences") or [],
        durations=DURATIONS,
    )


async def event_list(view: PageView) -> Response:
    year = year_param(view)
    answer = await view.run(
        "EventList",
        start=f"{year}-01-01",
        end=f"{year + 1}-01-01",
        year=year,
        after=view.value("apres") or None,
    )
    data = answer.data or {}
    events, total = connection_nodes(data, "outreachEvents")
    found = data.get("outreachEvents") or EMPTY_CONNECTION
    return view.render(
        "events/list.html",
        title=f"Événements {year}",
        year=year,
        events=events,
        total=total,
        pages=Pager.of(view, "/evenements", found, {"annee": str(year)}),
        table=data.get("outreachEventTable"),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def new_event(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in EVENT_FIELDS}
    if view.request.method == "GET":
        given["heldOn"] = dt.date.today().isoformat()
    else:
        held = date_field(errors, "heldOn", given["heldOn"], required=True)
        reached = count_field(errors, "peopleReached", given["peopleReached"], required=False)
        insee = await commune_field(view, errors, given["commune"])
        if not errors:
            answer = await view.run(
                "RecordEvent",
                input={
                    "kind": given["kind"],
                    "communeInsee": insee,
                    "heldOn": held,
                    "peopleReached": reached or 0,
                    "title": given["title"],
                    "notes": given["notes"],
                },
            )
            errors = FormErrors.of(
                answer,
                "recordOutreachEvent",
                form_fields=EVENT_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                year = dt.date.fromisoformat(str(held)).year
                return view.redirect("/evenements", annee=str(year), ok="event")
    form = await view.run("EventForm")
    return view.render(
        "events/new.html",
        status_code=400 if errors else 200,
        title="Enregistrer un événement",
        given=given,
        errors=errors,
        kinds=(form.data or {}).get("outreachEventKinds") or [],
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page("/sensibilisations", session_list, action=READ, operations=("SessionList",)),
            Page(
                "/sensibilisations/nouvelle",
                new_session,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("SessionForm", "CommunePick", "RecordSession"),
            ),
            Page("/evenements", event_list, action=READ, operations=("EventList",)),
            Page(
                "/evenements/nouveau",
                new_event,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("EventForm", "CommunePick", "RecordEvent"),
            ),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [
        NavEntry("Sensibilisations", "/sensibilisations", action=READ, order=60),
        NavEntry("Événements", "/evenements", action=READ, order=65),
    ]
