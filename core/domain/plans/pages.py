"""The reception plan screens of the web app: writing the plan of a followed child (a
new plan, or a new version of one), its page with every version, sharing it with the
structure — which the API refuses without the family's active consent, its message
then shown on the page — and the buttons to the printable document
(/reports/reception-plans/<id>.html|.pdf). Everything through named operations
(graphql/operations/Plans.graphql).

The follow-up the person came from travels in the query string (``?suivi=…``): it
names the child and gives the way back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.forms import date_field, optional
from core.api.pages import FormErrors, PageView
from core.api.pickers import OPERATIONS as PICKERS
from core.api.pickers import STRUCTURE, pick, search_asked, structure_options
from core.contributions import Page, PageContribution
from core.domain.plans.service import MANAGE, READ

TEMPLATES = Path(__file__).with_name("templates")
NOTICES = {
    "written": "Le projet d'accueil est enregistré.",
    "shared": "Le projet d'accueil est partagé avec la structure.",
}
SECTIONS = (
    ("needs", "Besoins de l'enfant", "Ce dont l'enfant a besoin pour être bien accueilli."),
    ("habits", "Habitudes et rythmes", ""),
    ("communication", "Communication", "Comment l'enfant s'exprime et comment lui parler."),
    ("careInstructions", "Soins et conduites à tenir", ""),
    ("adaptations", "Adaptations", "Ce que l'équipe adapte : espace, activités, repas…"),
    ("equipment", "Matériel", ""),
    ("evaluation", "Évaluation", ""),
)
PLAN_FIELDS = ("structureId", "writtenOn", *(name for name, _, _ in SECTIONS), "reviewDate")


async def write_plan(view: PageView) -> Response:
    follow_up_id, plan_id = view.value("suivi"), view.value("projet")
    errors = FormErrors()
    given = {name: view.value(name) for name in PLAN_FIELDS}
    found = await view.run("PlanFollowUp", id=follow_up_id) if follow_up_id else None
    data = (found.data if found else None) or {}
    follow_up = data.get("node")
    if not follow_up or "child" not in follow_up:
        return view.not_found()
    plan = await _plan(view, plan_id) if plan_id else None
    if plan_id and plan is None:
        return view.not_found()
    if view.request.method == "POST" and not search_asked(view, STRUCTURE):
        written_on = date_field(errors, "writtenOn", given["writtenOn"], required=True)
        review = date_field(errors, "reviewDate", given["reviewDate"], required=False)
        if not errors:
            answer = await view.run(
                "WritePlan",
                id=plan_id or None,
                input={
                    "content": {
                        **{name: given[name] for name, _, _ in SECTIONS},
                        "reviewDates": [review] if review else [],
                        "writtenOn": written_on,
                    },
                    "childId": None if plan else follow_up["child"]["id"],
                    "structureId": None if plan else optional(given["structureId"]),
                },
            )
            errors = FormErrors.of(answer, "writeReceptionPlan", form_fields=PLAN_FIELDS)
            written = ((answer.data or {}).get("writeReceptionPlan") or {}).get("plan")
            if not errors and written:
                return view.redirect(
                    f"/projets-accueil/{written['id']}", suivi=follow_up_id, ok="written"
                )
    elif plan is not None and view.request.method == "GET":
        # A new version starts from the current one: the person changes what moved.
        current = plan["versions"][0]
        given.update({name: current[name] or "" for name, _, _ in SECTIONS})
    if view.request.method == "GET" and not given["writtenOn"]:
        given["writtenOn"] = dt.date.today().isoformat()
    if plan is None and not given["structureId"] and follow_up["structures"]:
        given["structureId"] = follow_up["structures"][0]["id"]
    structures = None
    if plan is None:  # a new version keeps its plan's structure
        structures = await pick(view, STRUCTURE, "structureId", given["structureId"])
        # The follow-up's own structures first: the plan is usually for one of them.
        structures.put_first(structure_options(follow_up["structures"]))
    return view.render(
        "plans/write.html",
        status_code=400 if errors else 200,
        title=f"Projet d'accueil de {follow_up['child']['firstName']}",
        follow_up=follow_up,
        plan=plan,
        structures=structures,
        sections=SECTIONS,
        given=given,
        errors=errors,
    )


async def _plan(view: PageView, plan_id: str) -> dict[str, Any] | None:
    found = await view.run("PlanPage", id=plan_id)
    plan = (found.data or {}).get("node")
    return plan if plan and "versions" in plan else None


async def plan_page(view: PageView) -> Response:
    plan_id = view.request.path_params["id"]
    follow_up_id = view.value("suivi")
    errors = FormErrors()
    if view.request.method == "POST":
        answer = await view.run("SharePlan", id=plan_id)
        errors = FormErrors.of(answer, "shareReceptionPlan", form_fields=())
        if not errors:
            return view.redirect(f"/projets-accueil/{plan_id}", suivi=follow_up_id, ok="shared")
    plan = await _plan(view, plan_id)
    if plan is None:
        return view.not_found()
    return view.render(
        "plans/page.html",
        status_code=400 if errors else 200,
        title=f"Projet d'accueil — {plan['structure']['name']}",
        plan=plan,
        follow_up_id=follow_up_id,
        sections=SECTIONS,
        errors=errors,
        can_manage=view.can(MANAGE),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page(
                "/projets-accueil/ecrire",
                write_plan,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("PlanFollowUp", "PlanPage", "WritePlan", *PICKERS),
            ),
            Page(
                "/projets-accueil/{id:path}",
                plan_page,
                methods=("GET", "POST"),
                action=READ,
                operations=("PlanPage", "SharePlan"),
            ),
        ],
        templates=TEMPLATES,
    )
