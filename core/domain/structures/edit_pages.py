"""Keeping a structure's record up to date from its page: correcting it (every field
of the API's ``StructureInput``, so nothing is lost on the way), adding and correcting
its contact persons, and removing one after a confirmation step. Everything through
named operations (graphql/operations/Directory.graphql)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from core.api.forms import commune_field, count_field, optional
from core.api.pages import FormErrors, PageView
from core.contributions import Page
from core.domain.structures.service import MANAGE

STRUCTURE_FIELDS = (
    "name",
    "kind",
    "commune",
    "organisationId",
    "address",
    "capacity",
    "ageMinMonths",
    "ageMaxMonths",
    "email",
    "phone",
    "notes",
)
CONTACT_FIELDS = ("firstName", "lastName", "function", "email", "phone")


async def structure_input(
    view: PageView, errors: FormErrors, given: dict[str, str], *, insee: str | None = None
) -> dict[str, Any] | None:
    """The API's ``StructureInput`` from the form (``insee``: the commune's code when it
    is already known), or None with the form's messages."""
    capacity = count_field(errors, "capacity", given["capacity"], required=False)
    age_min = count_field(errors, "ageMinMonths", given["ageMinMonths"], required=False)
    age_max = count_field(errors, "ageMaxMonths", given["ageMaxMonths"], required=False)
    insee = insee or await commune_field(view, errors, given["commune"])
    if errors:
        return None
    return {
        "name": given["name"],
        "kind": given["kind"],
        "communeInsee": insee,
        "organisationId": optional(given["organisationId"]),
        "address": given["address"],
        "capacity": capacity,
        "ageMinMonths": age_min,
        "ageMaxMonths": age_max,
        "email": given["email"] or None,
        "phone": given["phone"] or None,
        "notes": given["notes"],
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


async def _structure(view: PageView, structure_id: str) -> tuple[dict[str, Any] | None, Any]:
    """The structure (or None: not one of the pole's, or merged away) and the form's
    choices."""
    answer = await view.run("StructureEdit", id=structure_id)
    data = answer.data or {}
    structure = data.get("node")
    if not structure or "kind" not in structure or structure.get("mergedIntoId"):
        return None, data
    return structure, data


async def edit_structure(view: PageView) -> Response:
    structure_id = view.value("id")
    structure, data = await _structure(view, structure_id)
    if structure is None:
        return view.not_found()
    errors = FormErrors()
    if view.request.method == "GET":
        given = {
            "name": structure["name"],
            "kind": structure["kind"],
            "commune": structure["commune"]["name"],
            "organisationId": (structure.get("organisation") or {}).get("id") or "",
            # The other fields are shown as the API gives them.
            **{name: _text(structure.get(name)) for name in STRUCTURE_FIELDS[4:]},
        }
    else:
        given = {name: view.value(name) for name in STRUCTURE_FIELDS}
        # The commune shown is its name: unchanged, it keeps its code (a name two
        # communes of the département share must not stop the correction of a phone).
        unchanged = given["commune"] == structure["commune"]["name"]
        wanted = await structure_input(
            view, errors, given, insee=structure["commune"]["inseeCode"] if unchanged else None
        )
        if wanted is not None:
            answer = await view.run("UpdateStructure", id=structure_id, input=wanted)
            errors = FormErrors.of(
                answer,
                "updateStructure",
                form_fields=STRUCTURE_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                return view.redirect(f"/annuaire/structures/{structure_id}", ok="updated")
    return view.render(
        "directory/edit_structure.html",
        status_code=400 if errors else 200,
        title=f"Corriger la fiche de {structure['name']}",
        section="structures",
        structure=structure,
        given=given,
        errors=errors,
        kinds=data.get("structureKinds") or [],
        organisations=[
            {"value": o["id"], "label": o["name"]} for o in data.get("organisations") or []
        ],
    )


def _contact(structure: dict[str, Any], contact_id: str) -> dict[str, Any] | None:
    return next((c for c in structure["contacts"] if c["id"] == contact_id), None)


async def contact_form(view: PageView) -> Response:
    """Add a contact person to the structure, or correct one (``contact`` given)."""
    structure_id, contact_id = view.value("structure"), view.value("contact")
    structure, _ = await _structure(view, structure_id)
    if structure is None:
        return view.not_found()
    contact = _contact(structure, contact_id) if contact_id else None
    if contact_id and contact is None:
        return view.not_found()
    errors = FormErrors()
    if view.request.method == "GET":
        given = {name: _text((contact or {}).get(name)) for name in CONTACT_FIELDS}
    else:
        given = {name: view.value(name) for name in CONTACT_FIELDS}
        fields = {
            "firstName": given["firstName"],
            "lastName": given["lastName"],
            "function": given["function"],
            "email": given["email"] or None,
            "phone": given["phone"] or None,
        }
        if contact is None:
            answer = await view.run(
                "AddStructureContact", input={"structureId": structure_id, **fields}
            )
            payload = "addContact"
        else:
            answer = await view.run("UpdateContact", id=contact_id, input=fields)
            payload = "updateContact"
        errors = FormErrors.of(answer, payload, form_fields=CONTACT_FIELDS)
        if not errors:
            done = "contact-updated" if contact else "contact-added"
            return view.redirect(f"/annuaire/structures/{structure_id}", ok=done)
    who = f"{_text((contact or {}).get('firstName'))} {_text((contact or {}).get('lastName'))}"
    return view.render(
        "directory/contact.html",
        status_code=400 if errors else 200,
        title=f"Corriger le contact {who.strip()}" if contact else "Ajouter un contact",
        section="structures",
        structure=structure,
        contact=contact,
        given=given,
        errors=errors,
    )


async def remove_contact(view: PageView) -> Response:
    """The confirmation step, then the removal (POST)."""
    structure_id, contact_id = view.value("structure"), view.value("contact")
    structure, _ = await _structure(view, structure_id)
    contact = _contact(structure, contact_id) if structure else None
    if structure is None or contact is None:
        return view.not_found()
    errors = FormErrors()
    if view.request.method == "POST":
        answer = await view.run("RemoveContact", id=contact_id)
        errors = FormErrors.of(answer, "removeContact", form_fields=())
        if not errors:
            return view.redirect(f"/annuaire/structures/{structure_id}", ok="contact-removed")
    return view.render(
        "directory/remove_contact.html",
        status_code=400 if errors else 200,
        title=f"Retirer {contact['firstName']} {contact['lastName']}".strip(),
        section="structures",
        structure=structure,
        contact=contact,
        errors=errors,
    )


def _form(path: str, handler: Any, *operations: str) -> Page:
    return Page(path, handler, methods=("GET", "POST"), action=MANAGE, operations=operations)


PAGES = [
    _form(
        "/annuaire/structures/corriger",
        edit_structure,
        "StructureEdit",
        "CommunePick",
        "UpdateStructure",
    ),
    _form(
        "/annuaire/structures/contact",
        contact_form,
        "StructureEdit",
        "AddStructureContact",
        "UpdateContact",
    ),
    _form("/annuaire/structures/retirer-contact", remove_contact, "StructureEdit", "RemoveContact"),
]
