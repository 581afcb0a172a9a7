"""The requests screens of the web app: the list with its filters, recording one,
a request's page where it is answered. Everything through named operations
(graphql/operations/Requests.graphql)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.forms import date_field, optional
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView, global_id, plain_id
from core.api.pickers import FAMILY, STRUCTURE, pick, search_asked
from core.api.pickers import OPERATIONS as PICKERS
from core.contributions import NavEntry, Page, PageContribution
from core.domain.casework import follow_up_pages, task_pages
from core.domain.casework.service import MANAGE, READ

TEMPLATES = Path(__file__).with_name("templates")
NOTICES = {
    "recorded": "La demande est enregistrée.",
    "answered": "La réponse est enregistrée.",
}
WAITING_CHOICE, WAITING = "en-attente", ("new", "qualified")
REQUEST_FIELDS = (
    "receivedOn",
    "channel",
    "requesterKind",
    "requesterName",
    "subjects",
    "description",
    "familyId",
    "structureId",
)


async def request_list(view: PageView) -> Response:
    errors = FormErrors()
    status = view.value("statut")
    # « En attente de réponse » (the home page's card): the new and qualified ones.
    statuses = list(WAITING) if status == WAITING_CHOICE else [status] if status else None
    start = date_field(errors, "du", view.value("du"), required=False)
    end = date_field(errors, "au", view.value("au"), required=False)
    if end is not None:
        # The API's period is [start, end): the person's « au » is the last day, included.
        end = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
    answer = await view.run(
        "RequestList", statuses=statuses, start=start, end=end, after=view.value("apres") or None
    )
    errors = errors or FormErrors.of(answer, form_fields=["statut", "du", "au"])
    data = answer.data or {}
    found = data.get("requests") or EMPTY_CONNECTION
    filters = {"statut": status, "du": view.value("du"), "au": view.value("au")}
    return view.render(
        "requests/list.html",
        title="Demandes",
        requests=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
        pages=Pager.of(view, "/demandes", found, filters),
        statuses=[
            {"value": WAITING_CHOICE, "label": "En attente de réponse (nouvelles, qualifiées)"},
            *(data.get("requestStatuses") or []),
        ],
        status=status,
        start=view.value("du"),
        end=view.value("au"),
        errors=errors,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def new_request(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in REQUEST_FIELDS}
    subjects = view.values("subjects")
    if view.request.method == "GET":
        given["receivedOn"] = dt.date.today().isoformat()
    elif not search_asked(view, FAMILY, STRUCTURE):
        received = date_field(errors, "receivedOn", given["receivedOn"], required=True)
        if not errors:
            answer = await view.run(
                "RecordRequest",
                input={
                    "receivedOn": received,
                    "channel": given["channel"],
                    "requesterKind": given["requesterKind"],
                    "requesterName": given["requesterName"],
                    "subjects": subjects,
                    "description": given["description"],
                    "familyId": optional(given["familyId"]),
                    "structureId": optional(given["structureId"]),
                },
            )
            errors = FormErrors.of(answer, "recordRequest", form_fields=REQUEST_FIELDS)
            if not errors:
                return view.redirect("/demandes", ok="recorded")
    form = await view.run("RequestForm")
    data = form.data or {}
    return view.render(
        "requests/new.html",
        status_code=400 if errors else 200,
        title="Enregistrer une demande",
        given=given,
        subjects=subjects,
        errors=errors,
        channels=data.get("requestChannels") or [],
        requester_kinds=data.get("requesterKinds") or [],
        subject_options=data.get("requestSubjects") or [],
        families=await pick(view, FAMILY, "familyId"),
        structures=await pick(view, STRUCTURE, "structureId"),
    )


async def request_detail(view: PageView) -> Response:
    request_id = view.request.path_params["id"]
    errors = FormErrors()
    given = {"answer": view.value("answer"), "answeredOn": view.value("answeredOn")}
    if view.request.method == "POST":
        on = date_field(errors, "answeredOn", given["answeredOn"], required=False)
        if not errors:
            answer = await view.run(
                "AnswerRequest",
                id=request_id,
                input={"status": "answered", "answer": given["answer"], "on": on},
            )
            errors = FormErrors.of(
                answer,
                "setRequestStatus",
                form_fields=["answer", "answeredOn"],
                aliases={"on": "answeredOn"},
            )
            if not errors:
                return view.redirect(f"/demandes/{request_id}", ok="answered")
    found = await view.run("RequestDetail", id=request_id)
    request = (found.data or {}).get("node")
    if not request or "receivedOn" not in request:
        return view.not_found()
    if not given["answeredOn"]:
        given["answeredOn"] = dt.date.today().isoformat()
    family_id = global_id("Family", request.get("familyId"))
    follow_ups: list[dict[str, Any]] = []
    if family_id and request["status"]["value"] in {"follow_up", "closed"}:
        # The follow-up opened from this request, among the family's (a handful).
        found = await view.run("FamilyFollowUps", familyId=family_id)
        edges = ((found.data or {}).get("followUps") or {}).get("edges") or []
        follow_ups = [
            e["node"] for e in edges if e["node"].get("requestId") == plain_id(request_id)
        ]
    return view.render(
        "requests/detail.html",
        status_code=400 if errors else 200,
        title=f"Demande de {request['requesterName']}",
        request=request,
        family_id=family_id,
        follow_ups=follow_ups,
        given=given,
        errors=errors,
        can_answer=view.can(MANAGE) and request["status"]["value"] in {"new", "qualified"},
        # A follow-up opens from a family's request not yet turned into one (the API
        # refuses the others, and the child is chosen among the family's).
        can_follow=view.can(MANAGE)
        and bool(request.get("familyId"))
        and request["status"]["value"] not in {"follow_up", "closed"},
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page("/demandes", request_list, action=READ, operations=("RequestList",)),
            Page(
                "/demandes/nouvelle",
                new_request,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("RequestForm", "RecordRequest", *PICKERS),
            ),
            Page(
                "/demandes/{id:path}",
                request_detail,
                methods=("GET", "POST"),
                action=READ,
                operations=("RequestDetail", "AnswerRequest", "FamilyFollowUps"),
            ),
            *follow_up_pages.PAGES,
            *task_pages.PAGES,
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [
        NavEntry("Demandes", "/demandes", action=READ, order=10),
        NavEntry("Suivis", "/suivis", action=READ, order=15),
    ]
