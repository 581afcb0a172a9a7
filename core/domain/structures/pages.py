"""The directory screens of the web app (« Annuaire »): the structures d'accueil with a
search and a filter by kind, a structure's page, adding one (a probable duplicate is
refused until the person says it is another one), merging the duplicates the API
finds; the gestionnaires and the partners, searched and added. Everything through
named operations (graphql/operations/Directory.graphql)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.forms import commune_field, connection_nodes, plain_text
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.domain.structures import edit_pages
from core.domain.structures.edit_pages import STRUCTURE_FIELDS, structure_input
from core.domain.structures.service import MANAGE, READ

TEMPLATES = Path(__file__).with_name("templates")
NOTICES = {
    "created": "La structure est ajoutée à l'annuaire.",
    "merged": "Les fiches sont fusionnées.",
    "organisation": "Le gestionnaire est ajouté à l'annuaire.",
    "partner": "Le partenaire est ajouté à l'annuaire.",
    "updated": "La fiche est corrigée.",
    "contact-added": "Le contact est ajouté.",
    "contact-updated": "Le contact est corrigé.",
    "contact-removed": "Le contact est retiré.",
}
ORGANISATION_FIELDS = ("name", "kind", "commune", "siren")
PARTNER_FIELDS = ("name", "kind", "commune", "email", "phone")


def _notice(view: PageView) -> str | None:
    return NOTICES.get(view.request.query_params.get("ok", ""))


async def structure_list(view: PageView) -> Response:
    search, kind = view.value("recherche"), view.value("type")
    answer = await view.run(
        "DirectoryStructures",
        search=search or None,
        kinds=[kind] if kind else None,
        after=view.value("apres") or None,
    )
    structures, total = connection_nodes(answer.data, "structures")
    found = (answer.data or {}).get("structures") or EMPTY_CONNECTION
    return view.render(
        "directory/structures.html",
        title="Annuaire — structures d'accueil",
        section="structures",
        search=search,
        kind=kind,
        kinds=(answer.data or {}).get("structureKinds") or [],
        structures=structures,
        total=total,
        pages=Pager.of(view, "/annuaire", found, {"recherche": search, "type": kind}),
        notice=_notice(view),
    )


async def new_structure(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in STRUCTURE_FIELDS}
    # Set once the API found a probable duplicate: the person may then confirm.
    duplicate = False
    confirmed = view.value("allowDuplicate") == "oui"
    if view.request.method == "POST":
        wanted = await structure_input(view, errors, given)
        if wanted is not None:
            answer = await view.run("CreateStructure", input=wanted, allowDuplicate=confirmed)
            errors = FormErrors.of(
                answer,
                "createStructure",
                form_fields=STRUCTURE_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            payload = (answer.data or {}).get("createStructure") or {}
            duplicate = any(e["code"] == "CONFLICT" for e in payload.get("errors") or [])
            created = payload.get("structure")
            if not errors and created:
                return view.redirect(f"/annuaire/structures/{created['id']}", ok="created")
    form = await view.run("StructureForm")
    data = form.data or {}
    return view.render(
        "directory/new_structure.html",
        status_code=400 if errors else 200,
        title="Ajouter une structure d'accueil",
        section="structures",
        given=given,
        errors=errors,
        duplicate=duplicate,
        kinds=data.get("structureKinds") or [],
        organisations=[
            {"value": o["id"], "label": o["name"]} for o in data.get("organisations") or []
        ],
    )


async def structure_page(view: PageView) -> Response:
    answer = await view.run("StructureDetail", id=view.request.path_params["id"])
    structure = (answer.data or {}).get("node")
    if not structure or "kindLabel" not in structure or "capacity" not in structure:
        return view.not_found()
    return view.render(
        "directory/structure.html",
        title=structure["name"],
        section="structures",
        structure=structure,
        can_manage=view.can(MANAGE) and not structure.get("mergedIntoId"),
        notice=_notice(view),
    )


async def duplicates(view: PageView) -> Response:
    """Each group the API finds (same kind, name and commune): the person picks the
    record to keep; the others are merged into it."""
    errors = FormErrors()
    if view.request.method == "POST":
        keep = view.value("keepId")
        merge = [i for i in view.values("groupIds") if i != keep]
        # Several groups, one form each: the messages go to the summary alone.
        if not keep:
            errors.add(None, "Choisissez la fiche à garder.")
        else:
            answer = await view.run("MergeStructures", keepId=keep, mergeIds=merge)
            errors = FormErrors.of(answer, "mergeStructures", form_fields=())
            if not errors:
                return view.redirect(f"/annuaire/structures/{keep}", ok="merged")
    answer = await view.run("StructureDuplicates")
    groups = [g["structures"] for g in (answer.data or {}).get("structureDuplicates") or []]
    return view.render(
        "directory/duplicates.html",
        status_code=400 if errors else 200,
        title="Doublons à fusionner",
        section="doublons",
        groups=groups,
        errors=errors,
    )


def _matching(rows: list[dict[str, Any]], search: str) -> list[dict[str, Any]]:
    """The gestionnaires whose name holds every word searched (accents and case
    ignored): the API lists them all, a pole has a few dozen."""
    words = plain_text(search).split()
    return [r for r in rows if all(w in plain_text(r["name"]) for w in words)]


async def organisation_list(view: PageView) -> Response:
    search = view.value("recherche")
    answer = await view.run("DirectoryOrganisations")
    organisations = _matching((answer.data or {}).get("organisations") or [], search)
    return view.render(
        "directory/organisations.html",
        title="Annuaire — gestionnaires",
        section="gestionnaires",
        search=search,
        organisations=organisations,
        notice=_notice(view),
    )


async def partner_list(view: PageView) -> Response:
    search = view.value("recherche")
    answer = await view.run(
        "DirectoryPartners", search=search or None, after=view.value("apres") or None
    )
    partners, total = connection_nodes(answer.data, "partners")
    found = (answer.data or {}).get("partners") or EMPTY_CONNECTION
    return view.render(
        "directory/partners.html",
        title="Annuaire — partenaires",
        section="partenaires",
        search=search,
        partners=partners,
        total=total,
        pages=Pager.of(view, "/annuaire/partenaires", found, {"recherche": search}),
        notice=_notice(view),
    )


async def _create(
    view: PageView,
    *,
    fields: tuple[str, ...],
    form_operation: str,
    kinds_key: str,
    operation: str,
    payload: str,
    extra: tuple[str, ...],
    done: tuple[str, str],
    template: str,
    title: str,
    section: str,
) -> Response:
    """A gestionnaire's or a partner's form: a name, a kind, a commune (optional) and
    the ``extra`` fields, sent as they are (empty: none)."""
    errors = FormErrors()
    given = {name: view.value(name) for name in fields}
    if view.request.method == "POST":
        insee = await commune_field(view, errors, given["commune"], required=False)
        if not errors:
            answer = await view.run(
                operation,
                input={
                    "name": given["name"],
                    "kind": given["kind"],
                    "communeInsee": insee,
                    **{name: given[name] or None for name in extra},
                },
            )
            errors = FormErrors.of(
                answer, payload, form_fields=fields, aliases={"communeInsee": "commune"}
            )
            if not errors:
                return view.redirect(done[0], ok=done[1])
    form = await view.run(form_operation)
    return view.render(
        template,
        status_code=400 if errors else 200,
        title=title,
        section=section,
        given=given,
        errors=errors,
        kinds=(form.data or {}).get(kinds_key) or [],
    )


async def new_organisation(view: PageView) -> Response:
    return await _create(
        view,
        fields=ORGANISATION_FIELDS,
        form_operation="OrganisationForm",
        kinds_key="organisationKinds",
        operation="CreateOrganisation",
        payload="createOrganisation",
        extra=("siren",),
        done=("/annuaire/gestionnaires", "organisation"),
        template="directory/new_organisation.html",
        title="Ajouter un gestionnaire",
        section="gestionnaires",
    )


async def new_partner(view: PageView) -> Response:
    return await _create(
        view,
        fields=PARTNER_FIELDS,
        form_operation="PartnerForm",
        kinds_key="partnerKinds",
        operation="CreatePartner",
        payload="createPartner",
        extra=("email", "phone"),
        done=("/annuaire/partenaires", "partner"),
        template="directory/new_partner.html",
        title="Ajouter un partenaire",
        section="partenaires",
    )


def contribution() -> PageContribution:
    form = ("GET", "POST")
    return PageContribution(
        pages=[
            Page("/annuaire", structure_list, action=READ, operations=("DirectoryStructures",)),
            Page(
                "/annuaire/structures/nouvelle",
                new_structure,
                methods=form,
                action=MANAGE,
                operations=("StructureForm", "CommunePick", "CreateStructure"),
            ),
            # Before the structure's page, whose {id:path} would take these paths.
            *edit_pages.PAGES,
            Page(
                "/annuaire/structures/{id:path}",
                structure_page,
                action=READ,
                operations=("StructureDetail",),
            ),
            Page(
                "/annuaire/doublons",
                duplicates,
                methods=form,
                action=MANAGE,
                operations=("StructureDuplicates", "MergeStructures"),
            ),
            Page(
                "/annuaire/gestionnaires",
                organisation_list,
                action=READ,
                operations=("DirectoryOrganisations",),
            ),
            Page(
                "/annuaire/gestionnaires/nouveau",
                new_organisation,
                methods=form,
                action=MANAGE,
                operations=("OrganisationForm", "CommunePick", "CreateOrganisation"),
            ),
            Page(
                "/annuaire/partenaires",
                partner_list,
                action=READ,
                operations=("DirectoryPartners",),
            ),
            Page(
                "/annuaire/partenaires/nouveau",
                new_partner,
                methods=form,
                action=MANAGE,
                operations=("PartnerForm", "CommunePick", "CreatePartner"),
            ),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [NavEntry("Annuaire", "/annuaire", action=READ, order=30)]
