"""Correcting what was recorded about an SNU day, from its page: the day itself (every
field of the API's ``SnuSessionsSessionInput``, so a correction sends back what it does
not change), one of its groups (name, size, facilitators), removing a group after a
confirmation step, and cancelling the day with its reason — or reinstating it.

Every read and write through the named operations of ``operations/`` (the API's
checks, audit and coded errors); on an error the form shows what was typed, the
message at the top and next to its field.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from core import sdk
from plugins.snu_sessions.pages import (
    GROUP_FIELDS,
    MANAGE,
    SESSION_FIELDS,
    choices,
    render,
    session_errors,
    session_input,
    snu,
)

CANCEL_FIELDS = ("reason", "note")


async def _correction(view: sdk.PageView) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The session of the page's path (None: not one of the pole's) and the form's
    vocabularies."""
    data = snu(await view.run("SnuSessionCorrection", id=view.request.path_params["id"]))
    return data.get("session"), data


def _page_of(session: dict[str, Any]) -> str:
    return f"/snu/sessions/{session['id']}"


def _with(options: list[dict[str, str]], chosen: list[dict[str, str]]) -> list[dict[str, str]]:
    """The form's choices and, after them, what is already chosen but no longer offered
    (a kit withdrawn, a member who left the pole): sent back unchanged, not dropped."""
    offered = {o["value"] for o in options}
    return options + [c for c in chosen if c["value"] not in offered]


# --- the day ---------------------------------------------------------------------------


async def edit_session(view: sdk.PageView) -> Response:
    session, data = await _correction(view)
    if session is None:
        return view.not_found()
    errors = sdk.FormErrors()
    if view.request.method == "GET":
        given: dict[str, Any] = {
            "centre": session["centre"],
            "commune": session["commune"]["name"],
            "startsOn": session["startsOn"],
            "endsOn": session["endsOn"],
            "methods": [m["value"] for m in session["methods"]],
            "objectives": [o["value"] for o in session["objectives"]],
            "kitIds": [k["id"] for k in session.get("materials") or []],
            "notes": session["notes"],
        }
    else:
        given = {name: view.value(name) for name in SESSION_FIELDS}
        for many in ("methods", "objectives", "kitIds"):
            given[many] = view.values(many)
        # The commune is shown by its name: unchanged, it keeps its code (a name two
        # communes share must not stop the correction of a date).
        unchanged = given["commune"] == session["commune"]["name"]
        # « Chercher » in the kits' picker saves nothing.
        wanted = (
            None
            if sdk.search_asked(view, sdk.KIT_PICKER)
            else await session_input(
                view, errors, given, insee=session["commune"]["inseeCode"] if unchanged else None
            )
        )
        if wanted is not None:
            answer = await view.run("SnuRecordSession", input=wanted, id=session["id"])
            errors = session_errors(answer)
            if not errors:
                return view.redirect(_page_of(session), ok="corrigee")
    # Any kit of the pole, found by its name past the first hundred; those the day
    # already took come first, even withdrawn since (sent back unchanged, not dropped).
    kits = await sdk.pick(view, sdk.KIT_PICKER, "kitIds", chosen=given["kitIds"])
    kits.put_first([{"value": k["id"], "label": k["name"]} for k in session.get("materials") or []])
    return render(
        view,
        "record.html",
        f"Corriger la journée — {session['centre']}",
        section="sessions",
        session=session,
        given=given,
        errors=errors,
        methods=data.get("methods") or [],
        objectives=data.get("objectives") or [],
        kits=kits,
    )


# --- a group ---------------------------------------------------------------------------


def _group(session: dict[str, Any], group_id: str) -> dict[str, Any] | None:
    return next((g for g in session["groups"] if g["id"] == group_id), None)


def _facilitators(group: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    staff = [
        {"value": f["staffMember"]["userId"], "label": f["staffMember"]["displayName"]}
        for f in group["facilitators"]
        if f.get("staffMember")
    ]
    partners = [
        {"value": f["partner"]["id"], "label": f["partner"]["name"]}
        for f in group["facilitators"]
        if f.get("partner")
    ]
    return staff, partners


async def edit_group(view: sdk.PageView) -> Response:
    session, _ = await _correction(view)
    group = None if session is None else _group(session, view.request.path_params["group"])
    if session is None or group is None:
        return view.not_found()
    errors = sdk.FormErrors()
    staff_now, partners_now = _facilitators(group)
    if view.request.method == "GET":
        given: dict[str, Any] = {
            "name": group["name"],
            "size": str(group["size"]),
            "staffIds": [s["value"] for s in staff_now],
            "partnerIds": [p["value"] for p in partners_now],
        }
    else:
        given = {name: view.value(name) for name in ("name", "size")}
        given["staffIds"] = view.values("staffIds")
        given["partnerIds"] = view.values("partnerIds")
        size = sdk.count_field(errors, "size", given["size"], required=True)
        # « Chercher » in the partners' picker saves nothing.
        if not errors and not sdk.search_asked(view, sdk.PARTNER_PICKER):
            answer = await view.run(
                "SnuRecordGroup",
                input={
                    "sessionId": session["id"],
                    "name": given["name"],
                    "size": size,
                    "staffIds": given["staffIds"],
                    "partnerIds": given["partnerIds"],
                },
                id=group["id"],
            )
            errors = sdk.FormErrors.of(answer, "snuSessionsRecordGroup", form_fields=GROUP_FIELDS)
            if not errors:
                return view.redirect(_page_of(session), ok="groupe-corrige")
    staff, partners = await choices(view, given["partnerIds"])
    # The group's partners first, even past the list's hundred (sent back unchanged).
    partners.put_first(partners_now)
    return render(
        view,
        "group.html",
        f"Corriger le groupe {group['name']}",
        section="sessions",
        session=session,
        group=group,
        given=given,
        errors=errors,
        staff=_with(staff, staff_now),
        partners=partners,
    )


async def remove_group(view: sdk.PageView) -> Response:
    """The confirmation step (what stays, what goes), then the removal (POST)."""
    session, _ = await _correction(view)
    group = None if session is None else _group(session, view.request.path_params["group"])
    if session is None or group is None:
        return view.not_found()
    errors = sdk.FormErrors()
    if view.request.method == "POST":
        answer = await view.run("SnuRemoveGroup", id=group["id"])
        errors = sdk.FormErrors.of(answer, "snuSessionsRemoveGroup", form_fields=())
        if not errors:
            return view.redirect(_page_of(session), ok="groupe-retire")
    answers = sum(w["accepted"] for w in (session.get("quiz") or {}).get("windows", []))
    return render(
        view,
        "remove_group.html",
        f"Retirer le groupe {group['name']}",
        section="sessions",
        session=session,
        group=group,
        answers=answers,
        errors=errors,
    )


# --- cancelling ------------------------------------------------------------------------


async def cancellation(view: sdk.PageView) -> Response:
    """Cancel a planned day with its reason, or reinstate a cancelled one."""
    session, data = await _correction(view)
    if session is None:
        return view.not_found()
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in CANCEL_FIELDS}
    if view.request.method == "POST":
        if view.value("formulaire") == "retablir":
            answer = await view.run("SnuReinstateSession", id=session["id"])
            errors = sdk.FormErrors.of(answer, "snuSessionsReinstateSession", form_fields=())
            done = "retablie"
        else:
            if not given["reason"]:
                errors.add("reason", "Choisissez la raison de l'annulation.")
            else:
                answer = await view.run(
                    "SnuCancelSession",
                    id=session["id"],
                    input={"reason": given["reason"], "note": given["note"]},
                )
                errors = sdk.FormErrors.of(
                    answer, "snuSessionsCancelSession", form_fields=CANCEL_FIELDS
                )
            done = "annulee"
        if not errors:
            return view.redirect(_page_of(session), ok=done)
    cancelled = session["status"]["value"] == "cancelled"
    return render(
        view,
        "cancel.html",
        f"{'Rétablir' if cancelled else 'Annuler'} la journée — {session['centre']}",
        section="sessions",
        session=session,
        cancelled=cancelled,
        given=given,
        errors=errors,
        reasons=data.get("cancelReasons") or [],
    )


def _form(path: str, handler: Any, *operations: str) -> sdk.Page:
    return sdk.Page(
        path,
        handler,
        methods=("GET", "POST"),
        action=MANAGE,
        operations=("SnuSessionCorrection", *operations),
    )


PAGES = [
    _form(
        "/snu/sessions/{id}/corriger",
        edit_session,
        "CommunePick",
        "SnuRecordSession",
        *sdk.PICKER_OPERATIONS,
    ),
    _form(
        "/snu/sessions/{id}/groupes/{group}/corriger",
        edit_group,
        "SnuStaffChoices",
        "SnuRecordGroup",
        *sdk.PICKER_OPERATIONS,
    ),
    _form("/snu/sessions/{id}/groupes/{group}/retirer", remove_group, "SnuRemoveGroup"),
    _form(
        "/snu/sessions/{id}/annulation",
        cancellation,
        "SnuCancelSession",
        "SnuReinstateSession",
    ),
]
