"""The follow-up screens of the web app: opening one from a request, a follow-up's
page (the child, the referent, the structures, the timeline newest first, the child's
reception plans), noting an intervention, closing with an outcome. Everything through
named operations (graphql/operations/FollowUps.graphql).

A global id may hold a « / »: a follow-up's own page is ``/suivis/{id:path}``, and
the pages that act on one name it in the query string (``/suivis/noter?suivi=…``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from core.api.forms import date_field, optional
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView, global_id
from core.api.pickers import OPERATIONS as PICKERS
from core.api.pickers import STRUCTURE, pick, search_asked, structure_options
from core.contributions import Page
from core.domain.casework.service import MANAGE, READ

NOTICES = {
    "opened": "Le suivi est ouvert.",
    "logged": "L'intervention est notée.",
    "closed": "Le suivi est clos.",
}
OPEN_FIELDS = ("childId", "referentUserId", "openedOn", "structureIds")
INTERVENTION_FIELDS = (
    "kind",
    "happenedOn",
    "durationMinutes",
    "structureId",
    "place",
    "notes",
    "recommendations",
)
CLOSE_FIELDS = ("closedOn", "outcome", "outcomeNotes")


def _me(view: PageView) -> str:
    """The signed-in person's user id: the referent proposed by default."""
    actor = view.context.actor
    return str(actor.user_id) if actor is not None and actor.user_id is not None else ""


# The list's status filter: the person's word, the API's statuses.
STATUS_CHOICES = {
    "ouverts": ("En cours", ["open"]),
    "clos": ("Clos", ["closed"]),
    "tous": ("Tous", None),
}
MINE = "moi"


async def follow_up_list(view: PageView) -> Response:
    """The pole's follow-ups, found by status, referent (« mes suivis ») and the child's
    or the family's name; 50 a page, the most recently opened first."""
    status = view.value("statut") or "ouverts"
    if status not in STATUS_CHOICES:
        status = "ouverts"
    referent = view.value("referent")
    search = view.value("recherche")
    referent_id = _me(view) if referent == MINE else referent
    answer = await view.run(
        "FollowUpList",
        statuses=STATUS_CHOICES[status][1],
        referentUserId=referent_id or None,
        search=search or None,
        after=view.value("apres") or None,
    )
    data = answer.data or {}
    found = data.get("followUps") or EMPTY_CONNECTION
    filters = {"statut": status, "referent": referent, "recherche": search}
    return view.render(
        "follow_ups/list.html",
        title="Suivis",
        follow_ups=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
        statuses=[{"value": k, "label": label} for k, (label, _) in STATUS_CHOICES.items()],
        referents=[
            {"value": MINE, "label": "Mes suivis"},
            *(
                {"value": s["userId"], "label": s["displayName"]}
                for s in data.get("followUpReferents") or []
            ),
        ],
        given=filters,
        pages=Pager.of(view, "/suivis", found, filters),
        refused=bool(answer.errors),
    )


async def open_follow_up(view: PageView) -> Response:
    request_id = view.value("demande")
    found = await view.run("RequestDetail", id=request_id) if request_id else None
    request = ((found.data if found else None) or {}).get("node")
    if not request or "receivedOn" not in request or not request.get("familyId"):
        return view.not_found()
    errors = FormErrors()
    given = {name: view.value(name) for name in OPEN_FIELDS}
    structure_ids = view.values("structureIds")
    if view.request.method == "GET":
        given["openedOn"] = dt.date.today().isoformat()
        given["referentUserId"] = _me(view)
        given["childId"] = global_id("Child", request.get("childId")) or ""
        structure = global_id("Structure", request.get("structureId"))
        structure_ids = [structure] if structure else []
    elif not search_asked(view, STRUCTURE):
        opened = date_field(errors, "openedOn", given["openedOn"], required=True)
        if not given["childId"]:
            errors.add("childId", "Choisissez l'enfant suivi.")
        if not errors:
            answer = await view.run(
                "OpenFollowUp",
                input={
                    "childId": given["childId"],
                    "openedOn": opened,
                    "referentUserId": optional(given["referentUserId"]),
                    "requestId": request_id,
                    "structureIds": structure_ids,
                },
            )
            errors = FormErrors.of(
                answer,
                "openFollowUp",
                form_fields=OPEN_FIELDS,
                aliases={"requestId": "childId"},
            )
            opened_one = ((answer.data or {}).get("openFollowUp") or {}).get("followUp")
            if not errors and opened_one:
                return view.redirect(f"/suivis/{opened_one['id']}", ok="opened")
    choices = await view.run("FollowUpChoices", familyId=global_id("Family", request["familyId"]))
    data = choices.data or {}
    family = data.get("node") or {}
    return view.render(
        "follow_ups/new.html",
        status_code=400 if errors else 200,
        title="Ouvrir un suivi",
        request=request,
        family=family,
        children=[
            {"value": c["id"], "label": f"{c['firstName']} ({c['age']} ans)"}
            for c in family.get("children") or []
        ],
        referents=[
            {"value": s["userId"], "label": s["displayName"]}
            for s in data.get("followUpReferents") or []
        ],
        structures=await pick(view, STRUCTURE, "structureIds", structure_ids),
        given=given,
        errors=errors,
    )


async def follow_up_page(view: PageView) -> Response:
    follow_up_id = view.request.path_params["id"]
    found = await view.run("FollowUpPage", id=follow_up_id)
    follow_up = (found.data or {}).get("node")
    if not follow_up or "openedOn" not in follow_up:
        return view.not_found()
    plans: list[dict[str, Any]] = []
    if view.can("families.read"):
        listed = await view.run("FollowUpPlans", childId=follow_up["child"]["id"])
        plans = (listed.data or {}).get("receptionPlans") or []
    is_open = follow_up["status"]["value"] == "open"
    return view.render(
        "follow_ups/page.html",
        title=f"Suivi de {follow_up['child']['firstName']}",
        follow_up=follow_up,
        request_id=global_id("Request", follow_up["requestId"]),
        timeline=list(reversed(follow_up["interventions"])),
        plans=plans,
        can_manage=view.can(MANAGE) and is_open,
        can_plan=view.can("families.manage"),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def log_intervention(view: PageView) -> Response:
    follow_up_id = view.value("suivi")
    errors = FormErrors()
    given = {name: view.value(name) for name in INTERVENTION_FIELDS}
    if view.request.method == "POST" and not search_asked(view, STRUCTURE):
        happened = date_field(errors, "happenedOn", given["happenedOn"], required=True)
        minutes = _whole(errors, "durationMinutes", given["durationMinutes"])
        if not errors:
            answer = await view.run(
                "LogIntervention",
                input={
                    "followUpId": follow_up_id,
                    "kind": given["kind"],
                    "happenedOn": happened,
                    "durationMinutes": minutes,
                    "structureId": optional(given["structureId"]),
                    "place": given["place"],
                    "notes": given["notes"],
                    "recommendations": given["recommendations"],
                },
            )
            errors = FormErrors.of(answer, "logIntervention", form_fields=INTERVENTION_FIELDS)
            if not errors:
                return view.redirect(f"/suivis/{follow_up_id}", ok="logged")
    elif view.request.method == "GET":
        given["happenedOn"] = dt.date.today().isoformat()
    form = await view.run("InterventionForm", id=follow_up_id) if follow_up_id else None
    data = (form.data if form else None) or {}
    follow_up = data.get("node")
    if not follow_up or "status" not in follow_up:
        return view.not_found()
    structures = await pick(view, STRUCTURE, "structureId")
    # The follow-up's own structures first: the crèche where the child is received.
    structures.put_first(structure_options(follow_up["structures"]))
    return view.render(
        "follow_ups/intervention.html",
        status_code=400 if errors else 200,
        title="Noter une intervention",
        follow_up=follow_up,
        kinds=data.get("interventionKinds") or [],
        structures=structures,
        given=given,
        errors=errors,
    )


def _whole(errors: FormErrors, name: str, value: str) -> int:
    """Minutes typed by a person: a whole number, empty meaning 0."""
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        errors.add(name, "Indiquez un nombre entier de minutes, par exemple 90.")
        return 0


async def close_follow_up(view: PageView) -> Response:
    follow_up_id = view.value("suivi")
    errors = FormErrors()
    given = {name: view.value(name) for name in CLOSE_FIELDS}
    if view.request.method == "POST":
        closed = date_field(errors, "closedOn", given["closedOn"], required=True)
        if not errors:
            answer = await view.run(
                "CloseFollowUp",
                id=follow_up_id,
                input={
                    "closedOn": closed,
                    "outcome": given["outcome"],
                    "notes": given["outcomeNotes"],
                },
            )
            errors = FormErrors.of(
                answer, "closeFollowUp", form_fields=CLOSE_FIELDS, aliases={"notes": "outcomeNotes"}
            )
            if not errors:
                return view.redirect(f"/suivis/{follow_up_id}", ok="closed")
    else:
        given["closedOn"] = dt.date.today().isoformat()
    form = await view.run("CloseForm", id=follow_up_id) if follow_up_id else None
    data = (form.data if form else None) or {}
    follow_up = data.get("node")
    if not follow_up or "status" not in follow_up:
        return view.not_found()
    return view.render(
        "follow_ups/close.html",
        status_code=400 if errors else 200,
        title="Clore le suivi",
        follow_up=follow_up,
        outcomes=data.get("followUpOutcomes") or [],
        given=given,
        errors=errors,
    )


PAGES = [
    Page("/suivis", follow_up_list, action=READ, operations=("FollowUpList",)),
    Page(
        "/suivis/nouveau",
        open_follow_up,
        methods=("GET", "POST"),
        action=MANAGE,
        operations=("RequestDetail", "FollowUpChoices", "OpenFollowUp", *PICKERS),
    ),
    Page(
        "/suivis/noter",
        log_intervention,
        methods=("GET", "POST"),
        action=MANAGE,
        operations=("InterventionForm", "LogIntervention", *PICKERS),
    ),
    Page(
        "/suivis/clore",
        close_follow_up,
        methods=("GET", "POST"),
        action=MANAGE,
        operations=("CloseForm", "CloseFollowUp"),
    ),
    Page(
        "/suivis/{id:path}",
        follow_up_page,
        action=READ,
        operations=("FollowUpPage", "FollowUpPlans"),
    ),
]
