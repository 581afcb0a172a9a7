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


async def family_data(view: PageView) -> Response:
    family_id = view.value("famille")
    found = await view.run("FamilyFile", id=family_id) if family_id else None
    family: dict[str, Any] | None = ((found.data if found else None) or {}).get("node")
    raw = plain_id(family_id)
    if not family or "guardians" not in family or raw is None:
        return view.not_found()
    errors = FormErrors()
    given = {name: view.value(name) for name in ERASE_FIELDS}
    confirming = False
    outcome: dict[str, Any] | None = None
    if view.request.method == "GET":
        given["receivedOn"] = dt.date.today().isoformat()
    else:
        received = date_field(errors, "receivedOn", given["receivedOn"], required=True)
        if not given["requester"]:
            errors.add("requester", "Indiquez qui demande l'effacement.")
        if not errors and view.value("etape") != "confirmer":
            # The first send only shows what will happen; the second one erases.
            confirming = True
        elif not errors:
            answer = await view.run(
                "EraseFamily", familyId=family_id, receivedOn=received, requester=given["requester"]
            )
            errors = FormErrors.of(answer, "eraseFamilyData", form_fields=ERASE_FIELDS)
            outcome = ((answer.data or {}).get("eraseFamilyData") or {}).get("request")
            if not errors and outcome and outcome["status"] != "deferred":
                return view.redirect(f"/familles/{family_id}", ok="erased")
    privacy = await view.run("FamilyPrivacy", familyId=family_id)
    data = privacy.data or {}
    requesters = data.get("erasureRequesters") or []
    return view.render(
        "gdpr/family.html",
        status_code=400 if errors else 200,
        title=f"Données personnelles — {family['name']}",
        family=family,
        export_html=f"/reports/families/{raw}/export.html",
        export_json=f"/reports/families/{raw}/export.json",
        holds=data.get("legalHolds") or [],
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
                operations=("FamilyFile", "FamilyPrivacy", "EraseFamily"),
            )
        ],
        templates=TEMPLATES,
    )
