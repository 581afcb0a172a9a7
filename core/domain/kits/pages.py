"""The kits screens of the web app: the catalogue, a kit's page with its calendar,
reserving a kit for a borrower (a structure, a family or a gestionnaire, each chosen
with a picker), and a loan's page where it is confirmed, leaves and comes back with
its checklist, and is checked. Everything through named operations
(graphql/operations/Kits.graphql, Pickers.graphql)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.forms import count_field, date_field, decimal_field, optional
from core.api.pages import EMPTY_CONNECTION, FormErrors, OperationResult, Pager, PageView
from core.api.pickers import FAMILY, ORGANISATION, STRUCTURE, pick, search_asked
from core.api.pickers import OPERATIONS as PICKERS
from core.contributions import NavEntry, Page, PageContribution
from core.domain.kits.service import MANAGE, READ

TEMPLATES = Path(__file__).with_name("templates")
# The calendar a kit's page shows: from today, about six months ahead.
CALENDAR_DAYS = 182
NOTICES = {
    "reserved": "La réservation est enregistrée.",
    "confirm": "La réservation est confirmée.",
    "depart": "Le départ de la malle est enregistré.",
    "return": "Le retour de la malle est enregistré.",
    "check": "La malle est vérifiée.",
}
RESERVATION_FIELDS = (
    "kitId",
    "borrowerKind",
    "structureId",
    "familyId",
    "organisationId",
    "startsOn",
    "endsOn",
    "notes",
)
# Who may borrow a kit (the API's three borrowers): the form's choice, its field, and
# what the page says when none was chosen.
BORROWERS = {
    "structure": ("Une structure d'accueil", "structureId", "Choisissez la structure"),
    "famille": ("Une famille", "familyId", "Choisissez la famille"),
    "gestionnaire": ("Un gestionnaire", "organisationId", "Choisissez le gestionnaire"),
}


async def catalogue(view: PageView) -> Response:
    search = view.value("recherche")
    answer = await view.run("KitCatalogue", search=search or None)
    found = (answer.data or {}).get("kits") or {"totalCount": 0, "edges": []}
    return view.render(
        "kits/catalogue.html",
        kilometres=(answer.data or {}).get("kitKilometresByYear") or [],
        title="Malles pédagogiques",
        search=search,
        kits=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
    )


async def kit_page(view: PageView) -> Response:
    kit_id = view.request.path_params["id"]
    today = dt.date.today()
    end = today + dt.timedelta(days=CALENDAR_DAYS)
    answer = await view.run("KitPage", id=kit_id, start=today.isoformat(), end=end.isoformat())
    data = answer.data or {}
    kit = data.get("node")
    if not kit or "components" not in kit:
        return view.not_found()
    calendar = (data.get("kitAvailability") or [None])[0] or {"busy": [], "free": []}
    return view.render(
        "kits/kit.html",
        title=kit["name"],
        kit=kit,
        calendar=calendar,
        out=[edge["node"] for edge in (data.get("out") or {}).get("edges", [])],
        window=(today, end),
        can_reserve=view.can(MANAGE) and kit["status"]["value"] != "retired",
    )


async def reserve(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in RESERVATION_FIELDS}
    if given["borrowerKind"] not in BORROWERS:
        # A link may name the borrower (?familyId=…): its kind is chosen with it.
        chosen = [kind for kind, (_, name, _) in BORROWERS.items() if given[name]]
        given["borrowerKind"] = chosen[0] if len(chosen) == 1 else "structure"
    if view.request.method == "GET":
        given["kitId"] = view.value("malle")
    elif not search_asked(view, STRUCTURE, FAMILY, ORGANISATION):
        starts = date_field(errors, "startsOn", given["startsOn"], required=True)
        ends = date_field(errors, "endsOn", given["endsOn"], required=False)
        _, borrower_field, missing = BORROWERS[given["borrowerKind"]]
        if not given[borrower_field]:
            errors.add(borrower_field, f"{missing} qui emprunte la malle.")
        if not errors:
            # Only the borrower of the kind chosen: a list left chosen under another
            # kind does not count.
            borrower = {name: None for _, name, _ in BORROWERS.values()}
            borrower[borrower_field] = given[borrower_field]
            answer = await view.run(
                "ReserveKit",
                input={
                    "kitId": optional(given["kitId"]),
                    **borrower,
                    "startsOn": starts,
                    "endsOn": ends,
                    "notes": given["notes"],
                },
            )
            errors = FormErrors.of(answer, "reserveKit", form_fields=RESERVATION_FIELDS)
            loan = ((answer.data or {}).get("reserveKit") or {}).get("loan")
            if not errors and loan:
                return view.redirect(f"/prets/{loan['id']}", ok="reserved")
    form = await view.run("ReservationForm")
    data = form.data or {}
    return view.render(
        "kits/reserve.html",
        status_code=400 if errors else 200,
        title="Réserver une malle",
        given=given,
        errors=errors,
        kits=[
            {"value": e["node"]["id"], "label": e["node"]["name"]}
            for e in (data.get("kits") or {}).get("edges", [])
        ],
        borrowers=[{"value": kind, "label": label} for kind, (label, _, _) in BORROWERS.items()],
        structures=await pick(view, STRUCTURE, "structureId"),
        families=await pick(view, FAMILY, "familyId"),
        organisations=await pick(view, ORGANISATION, "organisationId"),
    )


# A step of the loan's life cycle: the form's « étape », the operation, its payload.
STEPS = {
    "confirm": ("ConfirmLoan", "confirmKitLoan"),
    "depart": ("DepartLoan", "departKitLoan"),
    "return": ("ReturnLoan", "returnKitLoan"),
    "check": ("CheckLoan", "checkKitLoan"),
}


async def _step(view: PageView, loan: dict[str, Any], step: str) -> FormErrors:
    """Run the step the person asked for; the checklist's fields are « manque-N », the
    N-th element of the kit, which the API names ``missing.N.missing``."""
    errors = FormErrors()
    components = (loan.get("kit") or {}).get("components") or []
    fields = ["on", "km", *(f"manque-{i}" for i in range(len(components)))]
    on = date_field(errors, "on", view.value("on"), required=step != "confirm")
    # Kilometres given: the team drove the kit there (or back); empty: no trip.
    km = decimal_field(errors, "km", view.value("km"), required=False)
    missing = []
    for i, component in enumerate(components):
        count = count_field(errors, f"manque-{i}", view.value(f"manque-{i}"), required=False)
        missing.append({"componentId": component["id"], "missing": count or 0})
    if errors:
        return errors
    operation, payload = STEPS[step]
    variables: dict[str, Any] = {"id": loan["id"]}
    trip = None if km is None else {"km": km}
    if step == "depart":
        variables["input"] = {"departedOn": on, "missing": missing, "delivery": trip}
    elif step == "return":
        variables["input"] = {"returnedOn": on, "missing": missing, "collection": trip}
    elif step == "check":
        variables["input"] = {"checkedOn": on, "repair": view.value("repair") == "oui"}
    answer: OperationResult = await view.run(operation, **variables)
    aliases = {f"missing.{i}.missing": f"manque-{i}" for i in range(len(components))}
    aliases |= {"departedOn": "on", "returnedOn": "on", "checkedOn": "on"}
    aliases |= {"delivery.km": "km", "collection.km": "km"}
    return FormErrors.of(answer, payload, form_fields=fields, aliases=aliases)


async def loan_page(view: PageView) -> Response:
    loan_id = view.request.path_params["id"]
    found = await view.run("LoanPage", id=loan_id)
    loan = (found.data or {}).get("node")
    if not loan or "borrowerName" not in loan:
        return view.not_found()
    errors = FormErrors()
    step = view.value("etape")
    if view.request.method == "POST" and view.can(MANAGE) and step in STEPS:
        errors = await _step(view, loan, step)
        if not errors:
            return view.redirect(f"/prets/{loan_id}", ok=step)
    components = (loan.get("kit") or {}).get("components") or []
    status = loan["status"]["value"]
    # What the person can do next, from the loan's status (the API checks it again).
    next_step = {"requested": "confirm", "confirmed": "depart", "out": "return"}.get(status)
    if status == "returned":
        next_step = "check"
    if not view.can(MANAGE) or loan.get("kit") is None:
        next_step = None
    return view.render(
        "kits/loan.html",
        status_code=400 if errors else 200,
        title=f"Prêt de « {(loan.get('kit') or {}).get('name', 'malle surprise')} »",
        loan=loan,
        next_step=next_step,
        given={
            "on": view.value("on") or dt.date.today().isoformat(),
            "km": view.value("km"),
            **{f"manque-{i}": view.value(f"manque-{i}", "0") for i in range(len(components))},
        },
        errors=errors,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


# The home page's lists of kits, whole: (title, the date that matters, its heading).
LISTS = {
    "departs": ("Départs de la semaine", "startsOn", "Départ prévu le"),
    "retours": ("Retours de la semaine", "endsOn", "Retour prévu le"),
    "retards": ("Malles en retard", "endsOn", "Retour prévu le"),
}


async def loan_list(view: PageView) -> Response:
    """The kits leaving this week (confirmed, their loan touching the week), coming
    back this week (out, due back between Monday and Sunday), or overdue (out, due back
    before today): the soonest first."""
    chosen = view.value("liste")
    if chosen not in LISTS:
        chosen = "departs"
    title, date_field_name, heading = LISTS[chosen]
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    week = {"start": monday.isoformat()}
    filters: dict[str, Any] = {
        "departs": {"statuses": ["confirmed"], **week, "end": sunday.isoformat()},
        "retours": {"statuses": ["out"], **week, "endsBy": sunday.isoformat()},
        "retards": {"overdue": True},
    }[chosen]
    answer = await view.run(
        "LoanList", orderBy=date_field_name, after=view.value("apres") or None, **filters
    )
    found = (answer.data or {}).get("kitLoans") or EMPTY_CONNECTION
    return view.render(
        "kits/loans.html",
        title=title,
        chosen=chosen,
        lists=LISTS,
        week=(monday, sunday),
        today=today,
        date_key=date_field_name,
        heading=heading,
        loans=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
        pages=Pager.of(view, "/prets", found, {"liste": chosen}),
        refused=bool(answer.errors),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page("/malles", catalogue, action=READ, operations=("KitCatalogue",)),
            Page(
                "/malles/reserver",
                reserve,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("ReservationForm", "ReserveKit", *PICKERS),
            ),
            Page("/malles/{id:path}", kit_page, action=READ, operations=("KitPage",)),
            Page("/prets", loan_list, action=READ, operations=("LoanList",)),
            Page(
                "/prets/{id:path}",
                loan_page,
                methods=("GET", "POST"),
                action=READ,
                operations=("LoanPage", *(operation for operation, _ in STEPS.values())),
            ),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [NavEntry("Malles", "/malles", action=READ, order=50)]
