"""The plugin's screens in the staff web app, contributed through ``maillage_pages``
and ``maillage_navigation`` (the proof that an integrator can add screens as core
does): the referents with their signatures and attendance, registering one, the
training sessions, the charter and its signatures, the meetings with their
attendance sheet, and who is behind on the commitment to meet the pole.

Only ``core.sdk`` and this package; templates in ``templates/referent_charters``,
named operations in ``operations/`` (plus core's ``CommunePick``, which
``sdk.commune_field`` runs). A pole that did not enable the plugin gets 404 on every
path and no navigation entry: the engine sees to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core import sdk

HERE = Path(__file__).parent
READ, MANAGE = "referent_charters.read", "referent_charters.manage"
NOTICES = {
    "referent": "Le ou la référent·e est inscrit·e.",
    "session": "La session de formation est enregistrée.",
    "corrected": "La session de formation est corrigée.",
    "signature": "La signature est enregistrée.",
    "meeting": "La rencontre est enregistrée.",
    "attendance": "La feuille de présence est enregistrée.",
}
REFERENT_FIELDS = (
    "firstName",
    "lastName",
    "job",
    "commune",
    "structureKind",
    "structureName",
    "trainingSessionId",
)
# Up to four separate days on the form (the API takes up to twenty).
DAY_FIELDS = ("day1", "day2", "day3", "day4")
SESSION_FIELDS = ("number", "title", "startOn", "endOn", *DAY_FIELDS, "programme")
SIGNATURE_FIELDS = ("referentId", "signedOn", "establishmentSignedOn", "poleSignedOn")
MEETING_FIELDS = ("heldOn", "kind", "title")


def _rc(result: sdk.OperationResult) -> dict[str, Any]:
    return (result.data or {}).get("referentCharters") or {}


def _render(view: sdk.PageView, template: str, title: str, **values: Any) -> Response:
    errors = values.get("errors")
    return view.render(
        f"referent_charters/{template}",
        status_code=400 if errors else 200,
        title=title,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
        **values,
    )


def _people(data: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"value": e["node"]["id"], "label": f"{e['node']['firstName']} {e['node']['lastName']}"}
        for e in (data.get("referents") or {}).get("edges", [])
    ]


async def referents(view: sdk.PageView) -> Response:
    year = dt.date.today().year
    data = _rc(await view.run("RcReferents", year=year, after=view.value("apres") or None))
    attendance = {a["referent"]["id"]: a for a in data.get("attendance") or []}
    found = data.get("referents") or {"totalCount": 0, "edges": []}
    return _render(
        view,
        "referents.html",
        "Référents Pôle Ressources",
        section="referents",
        year=year,
        referents=[
            {**e["node"], "attendance": attendance.get(e["node"]["id"])} for e in found["edges"]
        ],
        total=found["totalCount"],
        pages=sdk.Pager.of(view, "/referents", found, {}),
    )


async def register_referent(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in REFERENT_FIELDS}
    if view.request.method == "POST":
        insee = await sdk.commune_field(view, errors, given["commune"])
        if not errors:
            answer = await view.run(
                "RcRegisterReferent",
                input={
                    "firstName": given["firstName"],
                    "lastName": given["lastName"],
                    "job": given["job"],
                    "communeInsee": insee,
                    "structureKind": given["structureKind"],
                    "structureName": given["structureName"],
                    "trainingSessionId": given["trainingSessionId"],
                },
            )
            errors = sdk.FormErrors.of(
                answer,
                "referentChartersRegisterReferent",
                form_fields=REFERENT_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                return view.redirect("/referents", ok="referent")
    data = _rc(await view.run("RcReferentForm"))
    return _render(
        view,
        "register.html",
        "Inscrire un·e référent·e",
        section="referents",
        given=given,
        errors=errors,
        jobs=data.get("jobs") or [],
        structure_kinds=data.get("structureKinds") or [],
        sessions=[
            {"value": s["id"], "label": f"{s['number']}e session — {s['title']}"}
            for s in data.get("trainingSessions") or []
        ],
    )


async def _session_answer(
    view: sdk.PageView, errors: sdk.FormErrors, given: dict[str, str], session_id: str = ""
) -> sdk.FormErrors:
    """Record (or, with ``session_id``, correct) the session the form describes: the
    first and last days, or the days one by one."""
    number = sdk.count_field(errors, "number", given["number"], required=True)
    days = [
        (name, sdk.date_field(errors, name, given[name], required=False)) for name in DAY_FIELDS
    ]
    typed = [(name, day) for name, day in days if day]
    start = sdk.date_field(errors, "startOn", given["startOn"], required=not typed)
    end = sdk.date_field(errors, "endOn", given["endOn"], required=not typed)
    if errors:
        return errors
    content = {
        "number": number,
        "startOn": start,
        "endOn": end,
        "days": [day for _, day in typed],
        "title": given["title"],
        "programme": given["programme"],
    }
    aliases = {f"input.days.{index}": name for index, (name, _) in enumerate(typed)}
    if session_id:
        answer = await view.run("RcCorrectTrainingSession", id=session_id, input=content)
        payload = "referentChartersCorrectTrainingSession"
    else:
        answer = await view.run("RcRecordTrainingSession", input=content)
        payload = "referentChartersRecordTrainingSession"
    return sdk.FormErrors.of(
        answer, payload, form_fields=SESSION_FIELDS, aliases={**aliases, "days": "day1"}
    )


async def training_sessions(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in SESSION_FIELDS}
    if view.request.method == "POST" and view.can(MANAGE):
        errors = await _session_answer(view, errors, given)
        if not errors:
            return view.redirect("/referents/sessions", ok="session")
    data = _rc(await view.run("RcTrainingSessions"))
    return _render(
        view,
        "sessions.html",
        "Sessions de formation des référents",
        section="sessions",
        sessions=data.get("trainingSessions") or [],
        given=given,
        errors=errors,
    )


async def correct_training_session(view: sdk.PageView) -> Response:
    session_id = view.value("session")
    found = await view.run("RcTrainingSession", id=session_id) if session_id else None
    current = ((found.data if found else None) or {}).get("node")
    if not current or "number" not in current:
        return view.not_found()
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in SESSION_FIELDS}
    if view.request.method == "POST":
        errors = await _session_answer(view, errors, given, session_id)
        if not errors:
            return view.redirect("/referents/sessions", ok="corrected")
    else:
        # The form starts from what is recorded: the person changes what moved.
        given = {
            "number": str(current["number"]),
            "title": current["title"],
            "startOn": current["startOn"],
            "endOn": current["endOn"],
            "programme": current["programme"],
            **dict(zip(DAY_FIELDS, current["days"], strict=False)),
        }
        given = {name: given.get(name, "") for name in SESSION_FIELDS}
    return _render(
        view,
        "session_correct.html",
        f"Corriger la {current['number']}e session",
        section="sessions",
        session=current,
        given=given,
        errors=errors,
    )


async def charter(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in SIGNATURE_FIELDS}
    if view.request.method == "GET":
        given["signedOn"] = dt.date.today().isoformat()
    elif view.can(MANAGE):
        dates = {
            name: sdk.date_field(errors, name, given[name], required=name == "signedOn")
            for name in SIGNATURE_FIELDS[1:]
        }
        if not given["referentId"]:
            errors.add("referentId", "Choisissez le ou la référent·e.")
        if not errors:
            answer = await view.run(
                "RcRecordSignature", input={"referentId": given["referentId"], **dates}
            )
            errors = sdk.FormErrors.of(
                answer, "referentChartersRecordSignature", form_fields=SIGNATURE_FIELDS
            )
            if not errors:
                return view.redirect("/referents/charte", ok="signature")
    data = _rc(await view.run("RcCharter"))
    return _render(
        view,
        "charter.html",
        "La charte des référents",
        section="charte",
        charters=data.get("charters") or [],
        people=_people(data),
        given=given,
        errors=errors,
    )


async def meetings(view: sdk.PageView) -> Response:
    """The year's meetings; a new one recorded; a meeting's attendance sheet (one
    form per meeting, its ``rencontre`` hidden, the referents present ticked)."""
    year = sdk.year_param(view)
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in MEETING_FIELDS}
    if view.request.method == "GET":
        given["heldOn"] = dt.date.today().isoformat()
    elif view.can(MANAGE) and view.value("rencontre"):
        answer = await view.run(
            "RcRecordAttendance",
            input={"meetingId": view.value("rencontre"), "referentIds": view.values("presents")},
        )
        errors = sdk.FormErrors.of(answer, "referentChartersRecordAttendance", form_fields=())
        if not errors:
            return view.redirect("/referents/rencontres", annee=str(year), ok="attendance")
    elif view.can(MANAGE):
        held = sdk.date_field(errors, "heldOn", given["heldOn"], required=True)
        if not errors:
            answer = await view.run(
                "RcRecordMeeting",
                input={"heldOn": held, "kind": given["kind"], "title": given["title"]},
            )
            errors = sdk.FormErrors.of(
                answer, "referentChartersRecordMeeting", form_fields=MEETING_FIELDS
            )
            if not errors:
                held_year = dt.date.fromisoformat(str(held)).year
                return view.redirect("/referents/rencontres", annee=str(held_year), ok="meeting")
    data = _rc(await view.run("RcMeetings", year=year))
    return _render(
        view,
        "meetings.html",
        f"Rencontres du réseau {year}",
        section="rencontres",
        year=year,
        meetings=data.get("meetings") or [],
        kinds=data.get("meetingKinds") or [],
        people=_people(data),
        given=given,
        errors=errors,
    )


async def behind(view: sdk.PageView) -> Response:
    year = sdk.year_param(view)
    data = _rc(await view.run("RcBehind", year=year))
    return _render(
        view,
        "behind.html",
        f"Qui est en retard sur l'engagement — {year}",
        section="retard",
        year=year,
        late=data.get("attendance") or [],
    )


def contribution() -> sdk.PageContribution:
    form = ("GET", "POST")
    return sdk.PageContribution(
        pages=[
            sdk.Page("/referents", referents, action=READ, operations=("RcReferents",)),
            sdk.Page(
                "/referents/inscrire",
                register_referent,
                methods=form,
                action=MANAGE,
                operations=("RcReferentForm", "CommunePick", "RcRegisterReferent"),
            ),
            sdk.Page(
                "/referents/sessions",
                training_sessions,
                methods=form,
                action=READ,
                operations=("RcTrainingSessions", "RcRecordTrainingSession"),
            ),
            sdk.Page(
                "/referents/sessions/corriger",
                correct_training_session,
                methods=form,
                action=MANAGE,
                operations=("RcTrainingSession", "RcCorrectTrainingSession"),
            ),
            sdk.Page(
                "/referents/charte",
                charter,
                methods=form,
                action=READ,
                operations=("RcCharter", "RcRecordSignature"),
            ),
            sdk.Page(
                "/referents/rencontres",
                meetings,
                methods=form,
                action=READ,
                operations=("RcMeetings", "RcRecordMeeting", "RcRecordAttendance"),
            ),
            sdk.Page("/referents/retard", behind, action=READ, operations=("RcBehind",)),
        ],
        templates=HERE / "templates",
        operations=HERE / "operations",
    )


def navigation() -> list[sdk.NavEntry]:
    return [sdk.NavEntry("Référents", "/referents", action=READ, order=70)]
