"""The families screens of the web app: search, a family's file, opening a file.

The file's health and social data (diagnosis, health notes, family situation) are
read by an operation of their own, run only for a person whose actions include the
grant: the others never see the fields, not even empty, and the API audits the read
of those who do (graphql/operations/Families.graphql)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.pages import FormErrors, PageView
from core.contributions import NavEntry, Page, PageContribution

TEMPLATES = Path(__file__).with_name("templates")
READ, MANAGE, HEALTH = "families.read", "families.manage", "children.health"
NOTICES = {"created": "Le dossier de la famille est ouvert."}
FAMILY_FIELDS = ("name", "commune", "address", "notes")
INSEE = re.compile(r"^(\d[\dAB]\d{3})$")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", letters.lower()).strip()


async def family_search(view: PageView) -> Response:
    search = view.value("recherche")
    answer = await view.run("FamilySearch", search=search or None)
    found = (answer.data or {}).get("families") or {"totalCount": 0, "edges": []}
    return view.render(
        "families/search.html",
        title="Familles",
        search=search,
        families=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
    )


async def _commune(view: PageView, errors: FormErrors, typed: str) -> str | None:
    """The INSEE code of the commune the person named: by its code, or by its name in
    the pole's département (an ambiguous name lists the candidates)."""
    if not typed:
        errors.add("commune", "Indiquez la commune de la famille.")
        return None
    if INSEE.match(typed):
        return typed
    answer = await view.run(
        "CommunePick", search=typed, departement=view.layout.get("departement") or None
    )
    candidates = [e["node"] for e in ((answer.data or {}).get("communes") or {}).get("edges", [])]
    exact = [c for c in candidates if _plain(c["name"]) == _plain(typed)]
    if len(exact) == 1 or len(candidates) == 1:
        return str((exact or candidates)[0]["inseeCode"])
    if not candidates:
        errors.add("commune", f"Aucune commune « {typed} » dans le département.")
    else:
        listed = ", ".join(f"{c['name']} ({c['inseeCode']})" for c in candidates)
        errors.add(
            "commune",
            f"Plusieurs communes correspondent : {listed}. Écrivez le nom exact ou le code INSEE.",
        )
    return None


async def new_family(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in FAMILY_FIELDS}
    if view.request.method == "POST":
        insee = await _commune(view, errors, given["commune"])
        if insee is not None:
            answer = await view.run(
                "CreateFamily",
                name=given["name"],
                communeInsee=insee,
                address=given["address"],
                notes=given["notes"],
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
