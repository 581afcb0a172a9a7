"""The plugin's screens in the staff web app (``maillage_pages``, ``maillage_navigation``):
the year's SNU days, recording one, a day's page (groups and facilitators, attendance,
kits, the quiz's windows with its short link and QR code, the results), the room's
screen to project, and the year's results. Correcting a day, a group, removing a group
and cancelling a day are in ``edit_pages``.

Only ``core.sdk`` and this package (and segno for the QR code); templates in
``templates/snu_sessions``, named operations in ``operations/``. Every read and write
goes through those operations: the same permissions, audit and coded errors as the API.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from starlette.responses import Response

from core import sdk

HERE = Path(__file__).parent
READ, MANAGE = "snu_sessions.read", "snu_sessions.manage"
PARIS = ZoneInfo("Europe/Paris")
NOTICES = {
    "session": "La session est enregistrée.",
    "groupe": "Le groupe est enregistré.",
    "presence": "Les présents sont enregistrés.",
    "quiz": "Le questionnaire est programmé.",
    "corrigee": "La journée est corrigée.",
    "groupe-corrige": "Le groupe est corrigé.",
    "groupe-retire": "Le groupe est retiré.",
    "annulee": "La journée est annulée.",
    "retablie": "La journée est rétablie.",
}
SESSION_FIELDS = (
    "centre",
    "commune",
    "startsOn",
    "endsOn",
    "methods",
    "objectives",
    "kitIds",
    "notes",
)
GROUP_FIELDS = ("name", "size", "staffIds", "partnerIds")
QUIZ_FIELDS = ("beforeOpensAt", "beforeClosesAt", "afterOpensAt", "afterClosesAt", "cap")
QUIZ_ALIASES = {
    "input.before.opensAt": "beforeOpensAt",
    "input.before.closesAt": "beforeClosesAt",
    "input.after.opensAt": "afterOpensAt",
    "input.after.closesAt": "afterClosesAt",
}


def snu(result: sdk.OperationResult) -> dict[str, Any]:
    return (result.data or {}).get("snuSessions") or {}


def render(view: sdk.PageView, template: str, title: str, **values: Any) -> Response:
    errors = values.get("errors")
    return view.render(
        f"snu_sessions/{template}",
        status_code=400 if errors else 200,
        title=title,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
        **values,
    )


def nodes(result: sdk.OperationResult, field: str) -> list[dict[str, Any]]:
    return [e["node"] for e in ((result.data or {}).get(field) or {}).get("edges", [])]


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno), with its text alternative."""
    code = segno.make(url, error="m")
    return str(code.svg_inline(scale=8, border=2, title=f"QR code vers {url}", svgclass="qr"))


def local_input(value: str | None) -> str:
    """An ISO instant as a ``datetime-local`` field shows it, in French time."""
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def shown_local(value: str) -> str:
    """An ISO instant as a person reads it: « 17/02/2026 à 08 h 30 », French time."""
    moment = dt.datetime.fromisoformat(value).astimezone(PARIS)
    return f"{sdk.date_fr(moment.date())} à {moment.strftime('%H h %M')}"


def parse_local(errors: sdk.FormErrors, name: str, value: str) -> str | None:
    """A ``datetime-local`` value typed in French time, as an ISO instant."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        errors.add(name, "Date et heure au format jj/mm/aaaa hh:mm.")
        return None
    return moment.replace(tzinfo=PARIS).isoformat()


# --- the year's sessions ---------------------------------------------------------------


async def sessions(view: sdk.PageView) -> Response:
    year = sdk.year_param(view)
    data = snu(await view.run("SnuSessions", year=year, after=view.value("apres") or None))
    found = data.get("sessions") or {"totalCount": 0, "edges": []}
    rows = []
    for edge in found["edges"]:
        node = edge["node"]
        answers = {
            w["phase"]["value"]: w["accepted"] for w in (node.get("quiz") or {}).get("windows", [])
        }
        rows.append({**node, "answers": answers})
    return render(
        view,
        "sessions.html",
        f"Journées SNU {year}",
        section="sessions",
        year=year,
        sessions=rows,
        total=found["totalCount"],
        # 50 a page, to the year's last day (a pole holds a few dozen a year).
        pages=sdk.Pager.of(view, "/snu", found, {"annee": str(year)}),
    )


async def session_input(
    view: sdk.PageView, errors: sdk.FormErrors, given: dict[str, Any], *, insee: str | None = None
) -> dict[str, Any] | None:
    """The API's ``SnuSessionsSessionInput`` from the form (``insee``: the commune's
    code when it is already known), or None with the form's messages."""
    insee = insee or await sdk.commune_field(view, errors, given["commune"])
    starts = sdk.date_field(errors, "startsOn", given["startsOn"], required=True)
    ends = sdk.date_field(errors, "endsOn", given["endsOn"] or given["startsOn"], required=True)
    if errors:
        return None
    return {
        "centre": given["centre"],
        "communeInsee": insee,
        "startsOn": starts,
        "endsOn": ends,
        "methods": given["methods"],
        "objectives": given["objectives"],
        "kitIds": given["kitIds"],
        "notes": given["notes"],
    }


def session_errors(answer: sdk.OperationResult) -> sdk.FormErrors:
    return sdk.FormErrors.of(
        answer,
        "snuSessionsRecordSession",
        form_fields=SESSION_FIELDS,
        aliases={"communeInsee": "commune"},
    )


async def record_session(view: sdk.PageView) -> Response:
    errors = sdk.FormErrors()
    given: dict[str, Any] = {name: view.value(name) for name in SESSION_FIELDS}
    for many in ("methods", "objectives", "kitIds"):
        given[many] = view.values(many)
    if view.request.method == "GET":
        given["methods"] = ["quiz", "boccia"]
        given["objectives"] = ["missions", "representations", "key_figures"]
    elif not sdk.search_asked(view, sdk.KIT_PICKER):  # « Chercher » saves nothing
        wanted = await session_input(view, errors, given)
        if wanted is not None:
            answer = await view.run("SnuRecordSession", input=wanted)
            errors = session_errors(answer)
            if not errors:
                session_id = answer.data["snuSessionsRecordSession"]["session"]["id"]  # type: ignore[index]
                return view.redirect(f"/snu/sessions/{session_id}", ok="session")
    data = snu(await view.run("SnuSessionForm"))
    return render(
        view,
        "record.html",
        "Nouvelle journée SNU",
        section="nouvelle",
        given=given,
        errors=errors,
        methods=data.get("methods") or [],
        objectives=data.get("objectives") or [],
        # Any kit of the pole, found by its name past the first hundred.
        kits=await sdk.pick(view, sdk.KIT_PICKER, "kitIds", chosen=given["kitIds"]),
    )


# --- one session -----------------------------------------------------------------------


async def choices(
    view: sdk.PageView, partner_ids: list[str]
) -> tuple[list[dict[str, str]], sdk.Picker]:
    """Who may facilitate: the pole's team (members with a role of the pole) and its
    partners, any of them found by name past the first hundred (``partner_ids``: those
    ticked, listed first when the list misses them)."""
    staff = [
        {"value": m["userId"], "label": m["displayName"]}
        for m in snu(await view.run("SnuStaffChoices")).get("staffMembers") or []
    ]
    return staff, await sdk.pick(view, sdk.PARTNER_PICKER, "partnerIds", chosen=partner_ids)


def _quiz_defaults(session: dict[str, Any]) -> dict[str, str]:
    day = session["startsOn"]
    last = session["endsOn"]
    return {
        "beforeOpensAt": f"{day}T08:30",
        "beforeClosesAt": f"{day}T10:30",
        "afterOpensAt": f"{last}T15:30",
        "afterClosesAt": f"{last}T17:30",
        "cap": str(max(10, session["youngPeople"] + 10)),
    }


async def _post_group(view: sdk.PageView, session_id: str, errors: sdk.FormErrors) -> bool:
    given = {name: view.value(name) for name in ("name", "size")}
    size = sdk.count_field(errors, "size", given["size"], required=True)
    if errors:
        return False
    answer = await view.run(
        "SnuRecordGroup",
        input={
            "sessionId": session_id,
            "name": given["name"],
            "size": size,
            "staffIds": view.values("staffIds"),
            "partnerIds": view.values("partnerIds"),
        },
        id=view.value("groupe") or None,
    )
    return merge(
        errors, sdk.FormErrors.of(answer, "snuSessionsRecordGroup", form_fields=GROUP_FIELDS)
    )


def merge(errors: sdk.FormErrors, found: sdk.FormErrors) -> bool:
    """Add the operation's errors to the form's; True when there are none."""
    errors.fields.update(found.fields)
    errors.general.extend(found.general)
    return not errors


async def _post_attendance(
    view: sdk.PageView, session: dict[str, Any], errors: sdk.FormErrors
) -> bool:
    groups = []
    for group in session["groups"]:
        raw = view.value(f"present-{group['id']}")
        if raw == "":
            # An emptied box clears a count noted by mistake; an empty one stays empty.
            if group["present"] is not None:
                groups.append({"groupId": group["id"], "present": None})
            continue
        count = sdk.count_field(errors, f"present-{group['id']}", raw, required=False)
        if count is not None:
            groups.append({"groupId": group["id"], "present": count})
    if errors:
        return False
    answer = await view.run(
        "SnuRecordAttendance", input={"sessionId": session["id"], "groups": groups}
    )
    return merge(errors, sdk.FormErrors.of(answer, "snuSessionsRecordAttendance", form_fields=()))


async def _post_quiz(view: sdk.PageView, session_id: str, errors: sdk.FormErrors) -> bool:
    moments = {name: parse_local(errors, name, view.value(name)) for name in QUIZ_FIELDS[:4]}
    cap = sdk.count_field(errors, "cap", view.value("cap"), required=True)
    if errors:
        return False
    answer = await view.run(
        "SnuScheduleQuiz",
        input={
            "sessionId": session_id,
            "before": {"opensAt": moments["beforeOpensAt"], "closesAt": moments["beforeClosesAt"]},
            "after": {"opensAt": moments["afterOpensAt"], "closesAt": moments["afterClosesAt"]},
            "cap": cap,
        },
    )
    return merge(
        errors,
        sdk.FormErrors.of(
            answer, "snuSessionsScheduleQuiz", form_fields=QUIZ_FIELDS, aliases=QUIZ_ALIASES
        ),
    )


async def session_page(view: sdk.PageView) -> Response:
    session_id = view.request.path_params["id"]
    errors = sdk.FormErrors()
    form = view.value("formulaire")
    if view.request.method == "POST" and view.can(MANAGE):
        current = snu(await view.run("SnuSessionEdit", id=session_id)).get("session")
        if current is None:
            return view.not_found()
        done = False
        if form == "groupe" and not sdk.search_asked(view, sdk.PARTNER_PICKER):
            done = await _post_group(view, session_id, errors)
        elif form == "presence":
            done = await _post_attendance(view, current, errors)
        elif form == "quiz":
            done = await _post_quiz(view, session_id, errors)
        if done:
            return view.redirect(f"/snu/sessions/{session_id}", ok=form)
    result = await view.run("SnuSession", id=session_id)
    data = snu(result)
    session = data.get("session")
    if session is None:
        return view.not_found()
    group_given = {name: view.value(name) for name in ("name", "size")}
    group_given["staffIds"] = view.values("staffIds") if form == "groupe" else []
    partner_ids = view.values("partnerIds") if form == "groupe" else []
    staff, partners = await choices(view, partner_ids) if view.can(MANAGE) else ([], None)
    quiz_given = {name: view.value(name) for name in QUIZ_FIELDS}
    if form != "quiz":
        windows = {w["phase"]["value"]: w for w in (session.get("quiz") or {}).get("windows", [])}
        quiz_given = _quiz_defaults(session)
        for phase, prefix in (("before", "before"), ("after", "after")):
            if phase in windows:
                quiz_given[f"{prefix}OpensAt"] = local_input(windows[phase]["opensAt"])
                quiz_given[f"{prefix}ClosesAt"] = local_input(windows[phase]["closesAt"])
                quiz_given["cap"] = str(windows[phase]["cap"])
    for window in (session.get("quiz") or {}).get("windows", []):
        window["opensShown"] = shown_local(window["opensAt"])
        window["closesShown"] = shown_local(window["closesAt"])
    link = None
    if session.get("quiz"):
        url = str(view.request.base_url).rstrip("/") + session["quiz"]["path"]
        link = {"url": url, "qr": qr_svg(url), "code": session["quiz"]["linkCode"]}
    return render(
        view,
        "session.html",
        session["centre"],
        section="sessions",
        session=session,
        results=data.get("results"),
        link=link,
        staff=staff,
        partners=partners,
        form=form,
        given=group_given,
        quiz_given=quiz_given,
        errors=errors,
    )


async def room_screen(view: sdk.PageView) -> Response:
    """What the room sees on the projector: the QR code, the short link and the code."""
    session_id = view.request.path_params["id"]
    session = snu(await view.run("SnuSessionEdit", id=session_id)).get("session")
    if session is None or not session.get("quiz"):
        return view.not_found()
    base = str(view.request.base_url).rstrip("/")
    url = base + session["quiz"]["path"]
    entrance = base + session["quiz"]["path"].rsplit("/", 1)[0] + "/"
    return render(
        view,
        "room.html",
        f"Questionnaire — {session['centre']}",
        section="sessions",
        session=session,
        link={"url": url, "qr": qr_svg(url), "code": session["quiz"]["linkCode"]},
        entrance=entrance,
    )


async def year_results(view: sdk.PageView) -> Response:
    year = sdk.year_param(view)
    data = snu(await view.run("SnuYearResults", year=year))
    return render(
        view,
        "results.html",
        f"Résultats des questionnaires SNU {year}",
        section="resultats",
        year=year,
        results=data.get("results"),
        session_count=(data.get("sessions") or {}).get("totalCount", 0),
    )


def _edit_pages() -> Any:
    # Imported here: the correction pages use this module's helpers.
    from plugins.snu_sessions import edit_pages

    return edit_pages


def contribution() -> sdk.PageContribution:
    form = ("GET", "POST")
    return sdk.PageContribution(
        pages=[
            *_edit_pages().PAGES,
            sdk.Page("/snu", sessions, action=READ, operations=("SnuSessions",)),
            sdk.Page(
                "/snu/nouvelle",
                record_session,
                methods=form,
                action=MANAGE,
                operations=(
                    "SnuSessionForm",
                    "CommunePick",
                    "SnuRecordSession",
                    *sdk.PICKER_OPERATIONS,
                ),
            ),
            sdk.Page(
                "/snu/sessions/{id}",
                session_page,
                methods=form,
                action=READ,
                operations=(
                    "SnuSession",
                    "SnuSessionEdit",
                    "SnuStaffChoices",
                    "SnuRecordGroup",
                    "SnuRecordAttendance",
                    "SnuScheduleQuiz",
                    *sdk.PICKER_OPERATIONS,
                ),
            ),
            sdk.Page(
                "/snu/sessions/{id}/salle",
                room_screen,
                action=READ,
                operations=("SnuSessionEdit",),
            ),
            sdk.Page("/snu/resultats", year_results, action=READ, operations=("SnuYearResults",)),
        ],
        templates=HERE / "templates",
        operations=HERE / "operations",
    )


def navigation() -> list[sdk.NavEntry]:
    return [sdk.NavEntry("Journées SNU", "/snu", action=READ, order=75)]
