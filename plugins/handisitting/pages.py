"""Handisitting's screens in the web app, through ``maillage_pages``: the staff's
sitters (application, vetting, documents), the families' requests with their ranked
candidates and each score explained, proposals, first meetings, bookings and sittings;
and the sitter's own screen (proposals, bookings, needs sheets, feedback).

Every screen runs the named operations of ``operations/`` with the person's context:
permissions, isolation, audit and coded errors are the API's. Forms keep what was
typed and show the API's errors next to their field."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core import sdk
from plugins.handisitting import public
from plugins.handisitting.access import MANAGE, READ, RESPOND, SITTER
from plugins.handisitting.routes import MONTHS
from plugins.handisitting.vocabulary import MAX_DOCUMENT_BYTES, WEEKDAYS

HERE = Path(__file__).parent
NOTICES = {
    "applied": "La candidature est enregistrée.",
    "vetted": "L'étape de l'agrément est enregistrée.",
    "document": "La pièce est enregistrée.",
    "checked": "La pièce est marquée vérifiée.",
    "account": "Le compte est relié : l'intervenant·e voit « Mes gardes » en se connectant.",
    "request": "La demande est enregistrée.",
    "done": "C'est enregistré.",
    "handled": "L'incident est marqué traité.",
    "incident": "L'incident est signalé : l'équipe du pôle est alertée.",
    "availability": "Les disponibilités et les compétences sont enregistrées.",
    "away": "L'absence est enregistrée.",
    "back": "L'absence est retirée.",
    "erased": "Les données personnelles sont effacées ; les dates et heures des gardes restent.",
    "skill": "La compétence est ajoutée : elle se choisit sur les candidatures et les demandes.",
}
APPLY_FIELDS = (
    "firstName",
    "lastName",
    "email",
    "phone",
    "commune",
    "travelKm",
    "background",
    "backgroundDetail",
    "languages",
)
REQUEST_FIELDS = ("child", "needs", "firstOn", "lastOn", "startsAt", "endsAt", "weekly")
DOCUMENT_FIELDS = ("kind", "issuedOn", "expiresOn")
VET_FIELDS = ("status", "reason")
AWAY_FIELDS = ("awayFrom", "awayTo", "awayNote")
INCIDENT_FIELDS = ("incidentBooking", "incidentBy", "incidentOn", "incidentText")
ACCOUNT = {"userId": "account"}


def _hs(result: sdk.OperationResult) -> dict[str, Any]:
    return (result.data or {}).get("handisitting") or {}


def _render(view: sdk.PageView, template: str, title: str, **values: Any) -> Response:
    errors = values.get("errors")
    return view.render(
        f"handisitting/{template}",
        status_code=400 if errors else 200,
        title=title,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
        **values,
    )


async def sitters(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    if view.request.method == "POST" and view.can(MANAGE):
        answer = await view.run("HsHandleIncident", id=view.value("incident"))
        errors = sdk.FormErrors.of(answer, "handisittingHandleIncident", form_fields=())
        if not errors:
            return view.redirect("/handisitting", ok="handled")
    data = _hs(await view.run("HsSitters", after=view.value("apres") or None))
    nodes, total = sdk.connection_nodes(data, "sitters")
    return _render(
        view,
        "sitters.html",
        "Handisitting — intervenant·es",
        section="sitters",
        sitters=nodes,
        total=total,
        pages=sdk.Pager.of(view, "/handisitting", data.get("sitters") or {}, {}),
        incidents=data.get("incidents") or [],
        renewals=data.get("renewals") or [],
        errors=errors,
        public_link=_public_link(view),
    )


def _public_link(view: sdk.PageView) -> str:
    """The pole's public application form, in full, for staff to share (decision 204):
    the operator's public address (``PUBLIC_URL``, as in the e-mails' links)."""
    base = view.context.settings.public_url
    slug = view.context.require_tenant().slug
    return f"{base.rstrip('/')}/p/{slug}/handisitting/{public.PATH}"


def _slots(view: sdk.PageView) -> list[dict[str, str | int]]:
    """One row per weekday: start and end, both or none."""
    slots: list[dict[str, str | int]] = []
    for day in range(7):
        start, end = view.value(f"start{day}"), view.value(f"end{day}")
        if start or end:
            slots.append({"weekday": day, "startsAt": start, "endsAt": end})
    return slots


async def apply(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    given: dict[str, Any] = {name: view.value(name) for name in APPLY_FIELDS}
    given["skills"] = view.values("skills")
    given["slots"] = {d: (view.value(f"start{d}"), view.value(f"end{d}")) for d in range(7)}
    if view.request.method == "POST":
        insee = await sdk.commune_field(view, errors, given["commune"])
        km = sdk.count_field(errors, "travelKm", given["travelKm"], required=True)
        if not errors:
            answer = await view.run(
                "HsApply",
                input={
                    "firstName": given["firstName"],
                    "lastName": given["lastName"],
                    "email": given["email"],
                    "phone": given["phone"],
                    "communeInsee": insee,
                    "travelKm": km,
                    "background": given["background"],
                    "backgroundDetail": given["backgroundDetail"],
                    "languages": _languages(given["languages"]),
                    "skills": given["skills"],
                    "availability": _slots(view),
                },
            )
            errors = sdk.FormErrors.of(
                answer,
                "handisittingApply",
                form_fields=(*APPLY_FIELDS, "skills", "availability"),
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                created = answer.data["handisittingApply"]["sitter"]["id"]  # type: ignore[index]
                return view.redirect("/handisitting/intervenant", id=created, ok="applied")
    data = _hs(await view.run("HsApplyForm"))
    return _render(
        view,
        "apply.html",
        "Enregistrer une candidature",
        section="sitters",
        given=given,
        errors=errors,
        skills=data.get("skills") or [],
        backgrounds=data.get("backgrounds") or [],
        weekdays=list(enumerate(WEEKDAYS)),
    )


def _languages(typed: str) -> list[str]:
    """« français, LSF » → ["français", "LSF"]."""
    return [part.strip() for part in typed.split(",") if part.strip()]


async def skills(view: sdk.PageView) -> Response:
    """The pole's skills vocabulary: the defaults and the pole's own; staff who manage
    add one (its code stays, it is what the requests and sitters hold)."""
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in ("code", "label")}
    if view.request.method == "POST" and view.can(MANAGE):
        answer = await view.run("HsAddSkill", input=given)
        errors = sdk.FormErrors.of(answer, "handisittingAddSkill", form_fields=("code", "label"))
        if not errors:
            return view.redirect("/handisitting/competences", ok="skill")
    return _render(
        view,
        "skills.html",
        "Handisitting — compétences",
        section="skills",
        skills=_hs(await view.run("HsSkills")).get("skills") or [],
        given=given,
        errors=errors,
    )


async def sitter(view: sdk.PageView) -> Response:
    """A sitter's file: vetting (one step at a time, with the reason), documents (a
    document seen on the original is recorded with its dates), availability."""
    sitter_id = view.value("id")
    errors = sdk.FormErrors()
    given: dict[str, Any] = {
        name: view.value(name) for name in (*VET_FIELDS, *DOCUMENT_FIELDS, *AWAY_FIELDS)
    }
    action = view.value("action")
    if view.request.method == "POST" and view.can(MANAGE):
        if action == "vet":
            answer = await view.run(
                "HsVet",
                input={"sitterId": sitter_id, "status": given["status"], "reason": given["reason"]},
            )
            errors = sdk.FormErrors.of(answer, "handisittingVet", form_fields=VET_FIELDS)
            notice = "vetted"
        elif action == "check":
            answer = await view.run("HsCheckDocument", id=view.value("document"))
            errors = sdk.FormErrors.of(answer, "handisittingCheckDocument", form_fields=())
            notice = "checked"
        elif action == "back":
            answer = await view.run("HsRemoveUnavailability", id=view.value("away"))
            errors = sdk.FormErrors.of(answer, "handisittingRemoveUnavailability", form_fields=())
            notice = "back"
        elif action == "export":
            answer = await view.run("HsExportSitter", id=sitter_id)
            errors = sdk.FormErrors.of(answer, "handisittingExportSitter", form_fields=())
            if not errors:
                return _export(answer.data["handisittingExportSitter"]["data"])  # type: ignore[index]
            notice = "done"
        elif action == "availability":
            errors = await _set_availability(view, sitter_id)
            notice = "availability"
        elif action == "away":
            errors = await _add_unavailability(view, sitter_id)
            notice = "away"
        elif action == "account":
            answer = await view.run(
                "HsLinkAccount", input={"sitterId": sitter_id, "userId": view.value("account")}
            )
            errors = sdk.FormErrors.of(
                answer, "handisittingLinkAccount", form_fields=("account",), aliases=ACCOUNT
            )
            notice = "account"
        else:
            errors = await _add_document(view, sitter_id, given)
            notice = "document"
        if not errors:
            return view.redirect("/handisitting/intervenant", id=sitter_id, ok=notice)
    year = dt.date.today().year
    found = await view.run("HsSitter", id=sitter_id, year=year)
    data = _hs(found)
    if not data.get("sitter"):
        return view.not_found()
    person = data["sitter"]
    accounts = []
    if view.can(MANAGE) and not person["hasAccount"]:
        accounts = _hs(await view.run("HsSitterAccounts")).get("sitterAccounts") or []
    if action == "availability":  # what was typed, kept on error
        given["slots"] = {d: (view.value(f"start{d}"), view.value(f"end{d}")) for d in range(7)}
        given["skills"] = view.values("skills")
    else:
        given["slots"] = _sitter_slots(person["availability"])
        given["skills"] = [skill["value"] for skill in person["skills"]]
    return _render(
        view,
        "sitter.html",
        f"{person['firstName']} {person['lastName']}",
        section="sitters",
        sitter=person,
        skills=data.get("skills") or [],
        weekdays=list(enumerate(WEEKDAYS)),
        crowded=_crowded_days(person["availability"]),
        accounts=accounts,
        max_kb=MAX_DOCUMENT_BYTES // 1024,
        kinds=data.get("documentKinds") or [],
        statuses=[
            s for s in data.get("sitterStatuses") or [] if s["value"] not in ("applied", "erased")
        ],
        hours=data.get("hours") or [],
        year=year,
        months=MONTHS,
        given=given,
        errors=errors,
        action=action,
    )


def _export(data: Any) -> Response:
    """Everything the pole holds on the sitter, as a file to hand her (subject access)."""
    name = f"donnees-intervenant-{dt.date.today().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


async def erase(view: sdk.PageView) -> Response:
    """Erasing a sitter's personal data, after a confirmation: what goes, what stays."""
    sitter_id = view.value("id")
    errors = sdk.FormErrors()
    if view.request.method == "POST":
        if view.value("confirm") != "oui":
            errors.add("confirm", "Cochez la case pour confirmer l'effacement.")
        else:
            answer = await view.run("HsEraseSitter", id=sitter_id)
            errors = sdk.FormErrors.of(answer, "handisittingEraseSitter", form_fields=())
            if not errors:
                return view.redirect("/handisitting/intervenant", id=sitter_id, ok="erased")
    person = _hs(await view.run("HsSitterName", id=sitter_id)).get("sitter")
    if not person:
        return view.not_found()
    return _render(
        view,
        "erase.html",
        f"Effacer les données de {person['firstName']} {person['lastName']}",
        section="sitters",
        sitter=person,
        errors=errors,
    )


def _sitter_slots(availability: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """The form's one slot a day, from the sitter's slots (the first of a day)."""
    slots = {day: ("", "") for day in range(7)}
    for slot in reversed(availability):
        slots[slot["weekday"]] = (slot["startsAt"], slot["endsAt"])
    return slots


def _crowded_days(availability: list[dict[str, Any]]) -> list[str]:
    """The days with several slots (given through the API): the form keeps one."""
    days = [slot["weekday"] for slot in availability]
    return [WEEKDAYS[day] for day in sorted(set(days)) if days.count(day) > 1]


async def _set_availability(view: sdk.PageView, sitter_id: str) -> sdk.FormErrors:
    """Replace the weekly slots and the skills: a day's start without its end (or the
    reverse) is named next to the missing field; the API checks the hours."""
    errors = sdk.FormErrors()
    slots = _slots(view)
    for slot in slots:
        day = slot["weekday"]
        for field, name in (("startsAt", f"start{day}"), ("endsAt", f"end{day}")):
            if not slot[field]:
                errors.add(name, f"Indiquez l'heure pour le {WEEKDAYS[int(day)]}.")
    if errors:
        return errors
    answer = await view.run(
        "HsSetAvailability",
        input={"sitterId": sitter_id, "availability": slots, "skills": view.values("skills")},
    )
    aliases = {
        f"input.availability.{i}.{field}": f"{prefix}{slot['weekday']}"
        for i, slot in enumerate(slots)
        for field, prefix in (("startsAt", "start"), ("endsAt", "end"))
    }
    days = [f"{prefix}{day}" for day in range(7) for prefix in ("start", "end")]
    return sdk.FormErrors.of(
        answer,
        "handisittingSetAvailability",
        form_fields=(*days, "availability", "skills"),
        aliases=aliases,
    )


async def _add_unavailability(view: sdk.PageView, sitter_id: str) -> sdk.FormErrors:
    """A period the sitter is not available (exams, holidays): the ranking counts it."""
    errors = sdk.FormErrors()
    starts = sdk.date_field(errors, "awayFrom", view.value("awayFrom"), required=True)
    ends = sdk.date_field(errors, "awayTo", view.value("awayTo"), required=True)
    if errors:
        return errors
    answer = await view.run(
        "HsAddUnavailability",
        input={
            "sitterId": sitter_id,
            "startsOn": starts,
            "endsOn": ends,
            "note": view.value("awayNote"),
        },
    )
    return sdk.FormErrors.of(
        answer,
        "handisittingAddUnavailability",
        form_fields=AWAY_FIELDS,
        aliases={"startsOn": "awayFrom", "endsOn": "awayTo", "note": "awayNote"},
    )


async def _add_document(
    view: sdk.PageView, sitter_id: str, given: dict[str, str]
) -> sdk.FormErrors:
    """A document with its dates, and its file when one is sent (the API checks what
    the bytes really are); without a file, the original was seen at the pole."""
    errors = sdk.FormErrors()
    issued = sdk.date_field(errors, "issuedOn", given["issuedOn"], required=True)
    expires = sdk.date_field(errors, "expiresOn", given["expiresOn"], required=False)
    fields: dict[str, Any] = {
        "sitterId": sitter_id,
        "kind": given["kind"],
        "issuedOn": issued,
        "expiresOn": expires,
    }
    upload = view.files.get("file")
    if upload is not None and (upload.too_large or len(upload.data) > MAX_DOCUMENT_BYTES):
        errors.add("file", f"Fichier trop lourd : {MAX_DOCUMENT_BYTES // 1024} Ko au plus.")
    elif upload is not None:
        fields["filename"] = upload.filename[-200:]
        fields["contentBase64"] = base64.b64encode(upload.data).decode("ascii")
    if errors:
        return errors
    answer = await view.run("HsAddDocument", input=fields)
    return sdk.FormErrors.of(
        answer,
        "handisittingAddDocument",
        form_fields=(*DOCUMENT_FIELDS, "file"),
        aliases={"contentBase64": "file", "filename": "file"},
    )


async def requests(view: sdk.PageView) -> Response:
    data = _hs(await view.run("HsRequests", after=view.value("apres") or None))
    nodes, total = sdk.connection_nodes(data, "requests")
    return _render(
        view,
        "requests.html",
        "Handisitting — demandes des familles",
        section="requests",
        requests=nodes,
        total=total,
        pages=sdk.Pager.of(view, "/handisitting/demandes", data.get("requests") or {}, {}),
    )


async def new_request(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    given: dict[str, Any] = {name: view.value(name) for name in REQUEST_FIELDS}
    given["skills"] = view.values("skills")
    # « Chercher » (or Enter in the family search): the list of children comes back
    # narrowed to the families found, what was typed kept, nothing saved.
    if view.request.method == "POST" and not sdk.search_asked(view, sdk.FAMILY_PICKER):
        first = sdk.date_field(errors, "firstOn", given["firstOn"], required=True)
        last = sdk.date_field(errors, "lastOn", given["lastOn"], required=False)
        family_id, _, child_id = given["child"].partition("|")
        if not child_id:
            errors.add("child", "Choisissez l'enfant.")
        if not errors:
            answer = await view.run(
                "HsRecordRequest",
                input={
                    "familyId": family_id,
                    "childId": child_id,
                    "needs": given["needs"],
                    "skills": given["skills"],
                    "firstOn": first,
                    "lastOn": last,
                    "weekly": given["weekly"] == "oui",
                    "startsAt": given["startsAt"],
                    "endsAt": given["endsAt"],
                },
            )
            errors = sdk.FormErrors.of(
                answer,
                "handisittingRecordRequest",
                form_fields=(*REQUEST_FIELDS, "skills"),
                aliases={"childId": "child", "familyId": "child"},
            )
            if not errors:
                created = answer.data["handisittingRecordRequest"]["request"]["id"]  # type: ignore[index]
                return view.redirect("/handisitting/demande", id=created, ok="request")
    search = view.value(sdk.FAMILY_PICKER.search)
    found = await view.run("HsRequestForm", search=search or None)
    families, total = sdk.connection_nodes(found.data or {}, "families")
    listed = len(families)
    chosen_family = given["child"].partition("|")[0]
    if chosen_family and chosen_family not in {f["id"] for f in families}:
        # The child chosen before a search that no longer lists its family stays first.
        node = ((await view.run("HsChosenFamily", id=chosen_family)).data or {}).get("node")
        if node and node.get("__typename") == "Family":
            families.insert(0, node)
    children = [
        {"value": f"{family['id']}|{c['id']}", "label": f"{c['firstName']} ({family['name']})"}
        for family in families
        for c in family["children"]
    ]
    # The search field and its hint, as core's family picker shows them.
    picker = sdk.Picker("child", sdk.FAMILY_PICKER, search, [], total=total, listed=listed)
    return _render(
        view,
        "new_request.html",
        "Enregistrer une demande de garde",
        section="requests",
        given=given,
        errors=errors,
        children=children,
        families=picker,
        skills=_hs(found).get("skills") or [],
    )


# What a button on the request's page does: its operation, payload and input.
REQUEST_ACTIONS = {
    "propose": ("HsPropose", "handisittingPropose"),
    "answer": ("HsAnswer", "handisittingAnswerProposal"),
    "meet": ("HsMeet", "handisittingRecordMeeting"),
    "agree": ("HsAgree", "handisittingAgree"),
    "sitting": ("HsRecordSitting", "handisittingRecordSitting"),
    "feedback": ("HsFeedback", "handisittingFeedback"),
    "close": ("HsCloseRequest", "handisittingCloseRequest"),
    "cancel": ("HsCancelBooking", "handisittingCancelBooking"),
}


def _request_input(view: sdk.PageView, action: str, request_id: str) -> dict[str, Any]:
    today = dt.date.today().isoformat()
    if action == "propose":
        return {
            "requestId": request_id,
            "sitterId": view.value("sitter"),
            "confirmWarnings": view.value("confirm") == "oui",
        }
    if action == "answer":
        return {"proposalId": view.value("proposal"), "accept": view.value("accept") == "oui"}
    if action == "meet":
        return {"proposalId": view.value("proposal"), "metOn": view.value("metOn") or today}
    if action == "agree":
        return {"proposalId": view.value("proposal"), "agreedOn": view.value("agreedOn") or today}
    if action == "sitting":
        given = {"sittingId": view.value("sitting"), "status": view.value("status")}
        if given["status"] == "cancelled":
            given |= {"by": view.value("sittingBy"), "reason": view.value("sittingReason")}
        return given
    if action == "feedback":
        return {
            "sittingId": view.value("sitting"),
            "side": view.value("side") or "family",
            "rating": int(view.value("rating") or 0),
            "comment": view.value("comment"),
        }
    if action == "cancel":
        return {
            "bookingId": view.value("booking"),
            "by": view.value("cancelBy"),
            "reason": view.value("cancelReason"),
        }
    return {"requestId": request_id, "reason": view.value("reason")}


async def request(view: sdk.PageView) -> Response:
    """A request: the needs, the ranked candidates (each score's parts), and the path
    from proposal to booking, one button at a time; the sittings and their feedback."""
    request_id = view.value("id")
    errors = sdk.FormErrors()
    action = view.value("action")
    incident = {name: view.value(name) for name in INCIDENT_FIELDS}
    if view.request.method == "POST" and view.can(RESPOND) and action == "incident":
        errors = await _record_incident(view, incident)
        if not errors:
            return view.redirect("/handisitting/demande", id=request_id, ok="incident")
    elif view.request.method == "POST" and view.can(MANAGE) and action in REQUEST_ACTIONS:
        operation, payload = REQUEST_ACTIONS[action]
        if action == "feedback" and view.value("rating") not in {"1", "2", "3", "4"}:
            errors.add(None, "Choisissez une note de 1 à 4.")
        else:
            answer = await view.run(operation, input=_request_input(view, action, request_id))
            payload = "handisittingLeaveFeedback" if action == "feedback" else payload
            errors = sdk.FormErrors.of(answer, payload, form_fields=())
        if not errors:
            return view.redirect("/handisitting/demande", id=request_id, ok="done")
    data = _hs(await view.run("HsRequest", id=request_id))
    if not data.get("request"):
        return view.not_found()
    child = data["request"]["child"]
    return _render(
        view,
        "request.html",
        f"Demande pour {child['firstName'] if child else 'un enfant'}",
        section="requests",
        request=data["request"],
        candidates=data.get("candidates") or [],
        reasons=data.get("unmatchedReasons") or [],
        errors=errors,
        cancel={name: view.value(name) for name in ("booking", "cancelBy", "cancelReason")},
        sitting={name: view.value(name) for name in ("sitting", "sittingBy", "sittingReason")},
        incident=incident if action == "incident" else {"incidentBy": "family"},
        today=dt.date.today().isoformat(),
    )


async def _record_incident(view: sdk.PageView, given: dict[str, str]) -> sdk.FormErrors:
    """Staff record an incident on the family's word (or the pole's own): the same
    alert as when the sitter reports it."""
    errors = sdk.FormErrors()
    happened = sdk.date_field(errors, "incidentOn", given["incidentOn"], required=True)
    if errors:
        return errors
    answer = await view.run(
        "HsReportIncident",
        input={
            "bookingId": given["incidentBooking"],
            "by": given["incidentBy"],
            "happenedOn": happened,
            "description": given["incidentText"],
        },
    )
    return sdk.FormErrors.of(
        answer,
        "handisittingReportIncident",
        form_fields=INCIDENT_FIELDS,
        aliases={
            "bookingId": "incidentBooking",
            "by": "incidentBy",
            "happenedOn": "incidentOn",
            "description": "incidentText",
        },
    )


async def mine(view: sdk.PageView) -> Response:
    """The sitter's own screen: proposals to answer, bookings, feedback after a sitting."""
    errors = sdk.FormErrors()
    incident = {name: view.value(name) for name in ("booking", "happenedOn", "description")}
    if view.request.method == "POST":
        if view.value("action") == "incident":
            errors = await _report_incident(view, incident)
        elif view.value("action") == "answer":
            answer = await view.run(
                "HsAnswer",
                input={
                    "proposalId": view.value("proposal"),
                    "accept": view.value("accept") == "oui",
                },
            )
            errors = sdk.FormErrors.of(answer, "handisittingAnswerProposal", form_fields=())
        elif view.value("rating") not in {"1", "2", "3", "4"}:
            errors.add(None, "Choisissez une note de 1 à 4.")
        else:
            answer = await view.run(
                "HsFeedback",
                input={
                    "sittingId": view.value("sitting"),
                    "side": "sitter",
                    "rating": int(view.value("rating")),
                    "comment": view.value("comment"),
                },
            )
            errors = sdk.FormErrors.of(answer, "handisittingLeaveFeedback", form_fields=())
        if not errors:
            done = "incident" if view.value("action") == "incident" else "done"
            return view.redirect("/handisitting/mes-gardes", ok=done)
    year = dt.date.today().year
    data = _hs(await view.run("HsMine", year=year))
    # Her hours by month, every family together: the names of the families stay out of
    # her screens (decision 137).
    by_month: dict[int, float] = {}
    for line in data.get("myHours") or []:
        by_month[line["month"]] = by_month.get(line["month"], 0.0) + line["hours"]
    return _render(
        view,
        "mine.html",
        "Mes gardes",
        section="mine",
        hours=sorted(by_month.items()),
        year=year,
        months=MONTHS,
        me=data.get("me"),
        proposals=data.get("myProposals") or [],
        bookings=data.get("myBookings") or [],
        errors=errors,
        incident=incident,
        today=dt.date.today().isoformat(),
    )


async def _report_incident(view: sdk.PageView, given: dict[str, str]) -> sdk.FormErrors:
    """The sitter reports something that went wrong during a sitting: the pole's staff
    see it at the top of their screen."""
    errors = sdk.FormErrors()
    report: dict[str, str | None] = {"bookingId": given["booking"], "by": "sitter"}
    report["description"] = given["description"]
    report["happenedOn"] = sdk.date_field(errors, "happenedOn", given["happenedOn"], required=True)
    if errors:
        return errors
    answer = await view.run("HsReportIncident", input=report)
    return sdk.FormErrors.of(answer, "handisittingReportIncident", form_fields=())


async def needs_sheet(view: sdk.PageView) -> Response:
    data = _hs(await view.run("HsNeedsSheet", id=view.value("garde")))
    if not data.get("needsSheet"):
        # Closed, another sitter's, or never existed: the same answer (decision 137).
        return view.not_found()
    sheet = data["needsSheet"]
    return _render(
        view,
        "needs_sheet.html",
        f"Fiche de besoins — {sheet['childFirstName']}",
        section="mine",
        sheet=sheet,
    )


def _form(path: str, handler: Any, action: str, *operations: str) -> sdk.Page:
    """A page that shows and posts (its forms run ``operations`` after the first)."""
    return sdk.Page(path, handler, methods=("GET", "POST"), action=action, operations=operations)


def contribution() -> sdk.PageContribution:
    sitter_ops = (
        "HsSitter",
        "HsVet",
        "HsAddDocument",
        "HsCheckDocument",
        "HsSetAvailability",
        "HsAddUnavailability",
        "HsRemoveUnavailability",
        "HsExportSitter",
    )
    request_ops = ("HsRequest", "HsReportIncident", *(op for op, _ in REQUEST_ACTIONS.values()))
    return sdk.PageContribution(
        pages=[
            _form("/handisitting", sitters, READ, "HsSitters", "HsHandleIncident"),
            _form(
                "/handisitting/candidature", apply, MANAGE, "HsApplyForm", "CommunePick", "HsApply"
            ),
            _form(
                "/handisitting/intervenant",
                sitter,
                READ,
                *sitter_ops,
                "HsSitterAccounts",
                "HsLinkAccount",
            ),
            _form(
                "/handisitting/intervenant/effacement",
                erase,
                MANAGE,
                "HsSitterName",
                "HsEraseSitter",
            ),
            _form("/handisitting/competences", skills, READ, "HsSkills", "HsAddSkill"),
            sdk.Page("/handisitting/demandes", requests, action=READ, operations=("HsRequests",)),
            _form(
                "/handisitting/demandes/nouvelle",
                new_request,
                MANAGE,
                *sdk.PICKER_OPERATIONS,
                "HsRequestForm",
                "HsChosenFamily",
                "HsRecordRequest",
            ),
            _form("/handisitting/demande", request, READ, *request_ops),
            _form(
                "/handisitting/mes-gardes",
                mine,
                SITTER,
                "HsMine",
                "HsAnswer",
                "HsFeedback",
                "HsReportIncident",
            ),
            sdk.Page(
                "/handisitting/fiche", needs_sheet, action=SITTER, operations=("HsNeedsSheet",)
            ),
        ],
        templates=HERE / "templates",
        operations=HERE / "operations",
    )


def panels() -> list[sdk.Panel]:
    """On the staff's home page: the incidents to handle and the documents to renew,
    so that nobody has to open the plugin's screen to see them (decision 148)."""
    return [
        sdk.Panel(
            slot="home",
            title="Garde à domicile : incidents et pièces à renouveler",
            operation="HsHomePanel",
            template="handisitting/home_panel.html",
            action=READ,
        )
    ]


def navigation() -> list[sdk.NavEntry]:
    return [
        sdk.NavEntry("Handisitting", "/handisitting", action=READ, order=75),
        sdk.NavEntry("Mes gardes", "/handisitting/mes-gardes", action=SITTER, order=10),
    ]


__all__ = ["RESPOND", "contribution", "navigation", "panels"]
