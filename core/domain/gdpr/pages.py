"""The page of a family's personal data (RGPD), reached from the family's file: the
export of everything the pole holds (the document routes, read audited when opened),
the legal holds, and erasure on request — with a confirmation step, since the
anonymisation cannot be undone. Through named operations
(graphql/operations/FamilyData.graphql)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.forms import date_field
from core.api.pages import FormErrors, PageView, plain_id
from core.contributions import Page, PageContribution
from core.domain.gdpr.service import MANAGE

TEMPLATES = Path(__file__).with_name("templates")
ERASE_FIELDS = ("receivedOn", "requester")
HOLD_FIELDS = ("reason", "note", "until")
NOTICES = {
    "hold": "L'obligation de conservation est posée.",
    "lifted": "L'obligation de conservation est levée.",
    "lifted-erased": "L'obligation est levée et l'effacement qui l'attendait est fait.",
}


async def _hold_step(view: PageView, family_id: str, errors: FormErrors) -> Response | str | None:
    """A legal hold placed, or lifted after its confirmation step: the redirect once done,
    the id of the hold to confirm the lifting of, or None (errors, or not a hold's form)."""
    action = view.value("action")
    if action == "poser":
        until = date_field(errors, "until", view.value("until"), required=False)
        if not view.value("reason"):
            errors.add("reason", "Choisissez le motif de l'obligation.")
        if errors:
            return None
        answer = await view.run(
            "PlaceLegalHold",
            input={
                "familyId": family_id,
                "reason": view.value("reason"),
                "note": view.value("note"),
                "until": until,
            },
        )
        found = FormErrors.of(answer, "placeLegalHold", form_fields=HOLD_FIELDS)
        errors.fields.update(found.fields)
        errors.general.extend(found.general)
        if not errors:
            return view.redirect("/donnees-personnelles", famille=family_id, ok="hold")
    elif action == "lever" and view.value("etape") != "confirmer":
        return view.value("hold")
    elif action == "lever":
        answer = await view.run("LiftLegalHold", id=view.value("hold"))
        found = FormErrors.of(answer, "liftLegalHold", form_fields=())
        errors.general.extend(found.general + list(found.fields.values()))
        erased = ((answer.data or {}).get("liftLegalHold") or {}).get("erasure")
        if not errors:
            done = "lifted-erased" if erased and erased["status"] == "done" else "lifted"
            return view.redirect("/donnees-personnelles", famille=family_id, ok=done)
    return None


async def family_data(view: PageView) -> Response:
    family_id = view.value("famille")
    found = await view.run("FamilyFile", id=family_id) if family_id else None
    family: dict[str, Any] | None = ((found.data if found else None) or {}).get("node")
    raw = plain_id(family_id)
    if not family or "guardians" not in family or raw is None:
        return view.not_found()
    errors = FormErrors()
    given = {name: view.value(name) for name in (*ERASE_FIELDS, *HOLD_FIELDS)}
    confirming = False
    lifting: str | None = None
    outcome: dict[str, Any] | None = None
    if view.request.method == "GET" or view.value("action") in {"poser", "lever"}:
        given["receivedOn"] = dt.date.today().isoformat()
    if view.request.method == "POST" and view.value("action") in {"poser", "lever"}:
        step = await _hold_step(view, family_id, errors)
        if isinstance(step, Response):
            return step
        lifting = step
    elif view.request.method == "POST":
        received = date_field(errors, "receivedOn", given["receivedOn"], required=True)
        if not given["requester"]:
            errors.add("requester", "Indiquez qui demande l'effacement.")
        if not errors and view.value("etape") != "confirmer":
            # The first send only shows what will happen; the second one erases.
            confirming = True
        elif not errors:
            answer = await view.run(
                "EraseFamily",
                input={
                    "familyId": family_id,
                    "receivedOn": received,
                    "requester": given["requester"],
                },
            )
            errors = FormErrors.of(answer, "eraseFamilyData", form_fields=ERASE_FIELDS)
            outcome = ((answer.data or {}).get("eraseFamilyData") or {}).get("request")
            if not errors and outcome and outcome["status"] != "deferred":
                return view.redirect(f"/familles/{family_id}", ok="erased")
    privacy = await view.run("FamilyPrivacy", familyId=family_id)
    data = privacy.data or {}
    requesters = data.get("erasureRequesters") or []
    holds = data.get("legalHolds") or []
    return view.render(
        "gdpr/family.html",
        status_code=400 if errors else 200,
        title=f"Données personnelles — {family['name']}",
        family=family,
        export_html=f"/reports/families/{raw}/export.html",
        export_json=f"/reports/families/{raw}/export.json",
        holds=holds,
        reasons=data.get("legalHoldReasons") or [],
        lifting=next((h for h in holds if h["id"] == lifting and h["active"]), None),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
        requesters=requesters,
        requester_label=next(
            (r["label"] for r in requesters if r["value"] == given["requester"]), ""
        ),
        given=given,
        errors=errors,
        confirming=confirming,
        outcome=outcome,
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page(
                "/donnees-personnelles",
                family_data,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=(
                    "FamilyFile",
                    "FamilyPrivacy",
                    "EraseFamily",
                    "PlaceLegalHold",
                    "LiftLegalHold",
                ),
            )
        ],
        templates=TEMPLATES,
    )
