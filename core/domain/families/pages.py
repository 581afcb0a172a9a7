"""The families screens of the web app: search, a family's file, opening a file.

The file's health and social data (diagnosis, health notes, family situation) are
read by an operation of their own, run only for a person whose actions include the
grant: the others never see the fields, not even empty, and the API audits the read
of those who do (graphql/operations/Families.graphql)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.forms import commune_field
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.domain.families import edit_pages

TEMPLATES = Path(__file__).with_name("templates")
READ, MANAGE, HEALTH = "families.read", "families.manage", "children.health"
NOTICES = {"created": "Le dossier de la famille est ouvert.", **edit_pages.NOTICES}
FAMILY_FIELDS = ("name", "commune", "address", "notes")


async def family_search(view: PageView) -> Response:
    search = view.value("recherche")
    answer = await view.run(
        "FamilySearch", search=search or None, after=view.value("apres") or None
    )
    found = (answer.data or {}).get("families") or EMPTY_CONNECTION
    return view.render(
        "families/search.html",
        title="Familles",
        search=search,
        families=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
        pages=Pager.of(view, "/familles", found, {"recherche": search}),
    )


async def new_family(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in FAMILY_FIELDS}
    if view.request.method == "POST":
        insee = await commune_field(
            view, errors, given["commune"], missing="Indiquez la commune de la famille."
        )
        if insee is not None:
            answer = await view.run(
                "CreateFamily",
                input={
                    "name": given["name"],
                    "communeInsee": insee,
                    "address": given["address"],
                    "notes": given["notes"],
                },
            )
            errors = FormErrors.of(
                answer,
                "createFamily",
                form_fields=FAMILY_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            created = ((answer.data or {}).get("createFamily") or {}).get("family")
            if not errors and created:
                return view.redirect(f"/familles/{created['id']}", ok="created")
    return view.render(
        "families/new.html",
        status_code=400 if errors else 200,
        title="Ouvrir le dossier d'une famille",
        given=given,
        errors=errors,
    )


async def family_file(view: PageView) -> Response:
    family_id = view.request.path_params["id"]
    answer = await view.run("FamilyFile", id=family_id)
    family: dict[str, Any] | None = (answer.data or {}).get("node")
    if not family or "guardians" not in family:
        return view.not_found()
    sensitive: dict[str, Any] = {}
    if view.can(HEALTH):
        found = await view.run("FamilySensitive", id=family_id)
        sensitive = (found.data or {}).get("node") or {}
    health = {c["id"]: c for c in sensitive.get("children") or []}
    panels = await view.panels("family", familyId=family_id)
    return view.render(
        "families/file.html",
        title=family["name"],
        family=family,
        commune=(family.get("commune") or {}).get("name", ""),
        situation=sensitive.get("situation"),
        health=health,
        show_health=view.can(HEALTH),
        panels=panels,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page("/familles", family_search, action=READ, operations=("FamilySearch",)),
            Page(
                "/familles/nouvelle",
                new_family,
                methods=("GET", "POST"),
                action=MANAGE,
                operations=("CommunePick", "CreateFamily"),
            ),
            *edit_pages.PAGES,
            Page(
                "/familles/{id:path}",
                family_file,
                action=READ,
                operations=("FamilyFile", "FamilySensitive"),
            ),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [NavEntry("Familles", "/familles", action=READ, order=20)]
