"""The adhesions screens of the web app: the adhesions of a year, last year's members
not renewed yet (each renewed in one click), and registering an adhesion for a family
or a gestionnaire — the amount from the pole's price list unless the person types
one (a family's first year is free: the API says so next to the amount). Through
named operations (graphql/operations/Adhesions.graphql)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from starlette.responses import Response

from core.api.forms import connection_nodes, date_field, decimal_field, optional, year_param
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView, global_id
from core.api.pickers import FAMILY, ORGANISATION, pick, search_asked
from core.api.pickers import OPERATIONS as PICKERS
from core.contributions import NavEntry, Page, PageContribution
from core.domain.adhesions.checks import MANAGE, READ

TEMPLATES = Path(__file__).with_name("templates")
NOTICES = {
    "registered": "L'adhésion est enregistrée.",
    "renewed": "L'adhésion est renouvelée.",
}
FIELDS = ("year", "joinedOn", "familyId", "organisationId", "amount")


async def adhesion_list(view: PageView) -> Response:
    year = year_param(view)
    errors = FormErrors()
    if view.request.method == "POST" and view.can(MANAGE):
        # « Renouveler » on a row of last year: the same member, this year, today.
        answer = await view.run(
            "RegisterAdhesion",
            input={
                "year": year,
                "joinedOn": dt.date.today().isoformat(),
                "familyId": optional(view.value("familyId")),
                "organisationId": optional(view.value("organisationId")),
            },
        )
        errors = FormErrors.of(answer, "registerAdhesion", form_fields=())
        if not errors:
            return view.redirect("/adhesions", annee=str(year), ok="renewed")
    answer = await view.run(
        "AdhesionList",
        year=year,
        after=view.value("apres") or None,
        renewalsAfter=view.value("apres_relances") or None,
    )
    data = answer.data or {}
    adhesions, total = connection_nodes(data, "adhesions")
    renewals, to_renew = connection_nodes(data, "adhesionRenewals")
    kept = {"annee": str(year)}
    return view.render(
        "adhesions/list.html",
        status_code=400 if errors else 200,
        title=f"Adhésions {year}",
        year=year,
        adhesions=adhesions,
        total=total,
        renewals=[{**r, "family": global_id("Family", r.get("familyId"))} for r in renewals],
        to_renew=to_renew,
        pages=Pager.of(view, "/adhesions", data.get("adhesions") or EMPTY_CONNECTION, kept),
        renewal_pages=Pager.of(
            view,
            "/adhesions",
            data.get("adhesionRenewals") or EMPTY_CONNECTION,
            kept,
            cursor="apres_relances",
        ),
        errors=errors,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def new_adhesion(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in FIELDS}
    if view.request.method == "GET":
        given["year"] = str(year_param(view))
        given["joinedOn"] = dt.date.today().isoformat()
    elif not search_asked(view, FAMILY, ORGANISATION):
        joined = date_field(errors, "joinedOn", given["joinedOn"], required=True)
        euros = decimal_field(errors, "amount", given["amount"], required=False)
        if not given["familyId"] and not given["organisationId"]:
            errors.add("familyId", "Choisissez la famille ou le gestionnaire qui adhère.")
        if not errors:
            answer = await view.run(
                "RegisterAdhesion",
                input={
                    "year": int(given["year"] or 0),
                    "joinedOn": joined,
                    "familyId": optional(given["familyId"]),
                    "organisationId": optional(given["organisationId"]),
                    "amountCents": None if euros is None else round(euros * 100),
                },
            )
            errors = FormErrors.of(
                answer,
                "registerAdhesion",
                form_fields=FIELDS,
                aliases={"amountCents": "amount"},
            )
            if not errors:
                return view.redirect("/adhesions", annee=given["year"], ok="registered")
    this_year = dt.date.today().year
    return view.render(
        "adhesions/new.html",
        status_code=400 if errors else 200,
        title="Enregistrer une adhésion",
        given=given,
        errors=errors,
        years=[{"value": str(y), "label": str(y)} for y in range(this_year - 1, this_year + 2)],
        families=await pick(view, FAMILY, "familyId"),
        organisations=await pick(view, ORGANISATION, "organisationId"),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page(
                "/adhesions",
                adhesion_list,
                methods=("GET", "POST"),
                action=READ,
                operations=("AdhesionList", "RegisterAdhesion"),
            ),
            Page(
                "/adhesions/nouvelle",
                new_adhesion,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("RegisterAdhesion", *PICKERS),
            ),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [NavEntry("Adhésions", "/adhesions", action=READ, order=40)]
