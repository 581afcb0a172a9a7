"""The screens that keep a family's file: correct the family, add a guardian, record
or withdraw a consent, add or correct a child. Everything through named operations
(graphql/operations/FamilyEdit.graphql); each form comes back with the person's input
and the API's messages next to the fields, and a success returns to the family's
file with a notice.

A global id may hold a « / »: the family (or the child) is named in the query string
(``/familles/enfant?famille=…``), as the follow-up screens do."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response

from core.api.forms import commune_field, date_field
from core.api.pages import FormErrors, PageView
from core.contributions import Page

READ, MANAGE, HEALTH = "families.read", "families.manage", "children.health"
PARIS = ZoneInfo("Europe/Paris")
NOTICES = {
    "updated": "Le dossier de la famille est corrigé.",
    "guardian": "Le représentant légal est ajouté.",
    "consent": "Le consentement est enregistré.",
    "withdrawn": "Le consentement est retiré.",
    "child": "L'enfant est ajouté au dossier.",
    "child-updated": "Le dossier de l'enfant est corrigé.",
    # From the family's personal data page (core.domain.gdpr.pages), back to the file.
    "erased": "Les données de la famille sont effacées.",
}
FAMILY_FIELDS = ("name", "commune", "address", "notes")
GUARDIAN_FIELDS = ("firstName", "lastName", "relationship", "phone", "email")
CONSENT_FIELDS = ("purpose", "givenBy", "givenAt")
CHILD_FIELDS = ("firstName", "birthDate", "needs", "needsProfile", "diagnosis", "healthNotes")


def _options(data: dict[str, Any] | None, key: str) -> list[dict[str, str]]:
    return list((data or {}).get(key) or [])


async def _family(view: PageView) -> dict[str, Any] | None:
    """The family named by ``?famille=``, read as its file shows it (None: not found
    in this pole, or not a family)."""
    family_id = view.value("famille")
    if not family_id:
        return None
    answer = await view.run("FamilyFile", id=family_id)
    family: dict[str, Any] | None = (answer.data or {}).get("node")
    return family if family and "guardians" in family else None


def _back(view: PageView, family: dict[str, Any], notice: str) -> Response:
    return view.redirect(f"/familles/{family['id']}", ok=notice)


def _form(view: PageView, template: str, title: str, errors: FormErrors, **values: Any) -> Response:
    return view.render(
        template, status_code=400 if errors else 200, title=title, errors=errors, **values
    )


async def edit_family(view: PageView) -> Response:
    family = await _family(view)
    if family is None:
        return view.not_found()
    errors = FormErrors()
    if view.request.method == "GET":
        given = {
            "name": family["name"],
            "commune": (family.get("commune") or {}).get("name", ""),
            "address": family.get("address") or "",
            "notes": family.get("notes") or "",
        }
    else:
        given = {name: view.value(name) for name in FAMILY_FIELDS}
        insee = await commune_field(
            view, errors, given["commune"], missing="Indiquez la commune de la famille."
        )
        if insee is not None:
            answer = await view.run(
                "UpdateFamily",
                id=family["id"],
                input={
                    "name": given["name"],
                    "communeInsee": insee,
                    "address": given["address"],
                    "notes": given["notes"],
                },
            )
            errors = FormErrors.of(
                answer,
                "updateFamily",
                form_fields=FAMILY_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                return _back(view, family, "updated")
    return _form(
        view,
        "families/edit.html",
        f"Corriger le dossier — {family['name']}",
        errors,
        family=family,
        given=given,
    )


async def add_guardian(view: PageView) -> Response:
    family = await _family(view)
    if family is None:
        return view.not_found()
    errors = FormErrors()
    given = {name: view.value(name) for name in GUARDIAN_FIELDS}
    if view.request.method == "POST":
        answer = await view.run(
            "AddGuardian",
            input={
                "familyId": family["id"],
                "firstName": given["firstName"],
                "lastName": given["lastName"],
                "relationship": given["relationship"],
                "phone": given["phone"] or None,
                "email": given["email"] or None,
            },
        )
        errors = FormErrors.of(answer, "addGuardian", form_fields=GUARDIAN_FIELDS)
        if not errors:
            return _back(view, family, "guardian")
    form = await view.run("GuardianForm")
    return _form(
        view,
        "families/guardian.html",
        "Ajouter un représentant légal",
        errors,
        family=family,
        given=given,
        relationships=_options(form.data, "guardianRelationships"),
    )


async def record_consent(view: PageView) -> Response:
    family = await _family(view)
    if family is None:
        return view.not_found()
    errors = FormErrors()
    given = {name: view.value(name) for name in CONSENT_FIELDS}
    if view.request.method == "GET":
        given["givenAt"] = dt.date.today().isoformat()
    else:
        on = date_field(errors, "givenAt", given["givenAt"], required=True)
        if not errors and on is not None:
            # The person gives the day; the API keeps an instant: noon, Paris time, or
            # now for a consent recorded this morning (noon would be in the future).
            noon = dt.datetime.combine(dt.date.fromisoformat(on), dt.time(12), tzinfo=PARIS)
            at = min(noon, dt.datetime.now(PARIS))
            answer = await view.run(
                "RecordConsent",
                input={
                    "familyId": family["id"],
                    "purpose": given["purpose"],
                    "givenBy": given["givenBy"],
                    "givenAt": at.isoformat(),
                },
            )
            errors = FormErrors.of(answer, "recordConsent", form_fields=CONSENT_FIELDS)
            if not errors:
                return _back(view, family, "consent")
    form = await view.run("ConsentForm")
    return _form(
        view,
        "families/consent.html",
        "Enregistrer un consentement",
        errors,
        family=family,
        given=given,
        purposes=_options(form.data, "consentPurposes"),
    )


async def withdraw_consent(view: PageView) -> Response:
    """A consent withdrawn from the family's file: who withdrew it is asked first."""
    family = await _family(view)
    if family is None:
        return view.not_found()
    consent_id = view.value("consentement")
    consent = next((c for c in family["consents"] if c["id"] == consent_id), None)
    if consent is None or not consent["active"]:
        return view.not_found()
    errors = FormErrors()
    given = {"by": view.value("by")}
    if view.request.method == "POST":
        answer = await view.run("WithdrawConsent", id=consent_id, by=given["by"])
        errors = FormErrors.of(answer, "withdrawConsent", form_fields=["by"])
        if not errors:
            return _back(view, family, "withdrawn")
    return _form(
        view,
        "families/withdraw.html",
        "Retirer un consentement",
        errors,
        family=family,
        consent=consent,
        given=given,
    )


def _child_values(view: PageView, errors: FormErrors) -> dict[str, Any]:
    """The child form's variables typed from what was posted; the health fields only
    for a person with the grant (the others never send them)."""
    health = view.can(HEALTH)
    return {
        "firstName": view.value("firstName"),
        "birthDate": date_field(errors, "birthDate", view.value("birthDate"), required=True),
        "needs": view.value("needs"),
        "needsProfile": view.values("needsProfile"),
        "diagnosis": view.value("diagnosis") if health else None,
        "healthNotes": view.value("healthNotes") if health else None,
    }


async def add_child(view: PageView) -> Response:
    family = await _family(view)
    if family is None:
        return view.not_found()
    errors = FormErrors()
    given = {name: view.value(name) for name in CHILD_FIELDS}
    profile = view.values("needsProfile")
    if view.request.method == "POST":
        values = _child_values(view, errors)
        if not errors:
            answer = await view.run("AddChild", input={"familyId": family["id"], **values})
            errors = FormErrors.of(answer, "addChild", form_fields=CHILD_FIELDS)
            if not errors:
                return _back(view, family, "child")
    form = await view.run("ChildForm")
    return _form(
        view,
        "families/child.html",
        "Ajouter un enfant",
        errors,
        family=family,
        child=None,
        given=given,
        profile=profile,
        needs_kinds=_options(form.data, "needsKinds"),
        show_health=view.can(HEALTH),
    )


async def edit_child(view: PageView) -> Response:
    child_id = view.value("enfant")
    found = await view.run("ChildEdit", id=child_id) if child_id else None
    child: dict[str, Any] | None = ((found.data if found else None) or {}).get("node")
    if not child or "birthDate" not in child:
        return view.not_found()
    family = child["family"]
    errors = FormErrors()
    if view.request.method == "GET":
        given = {
            "firstName": child["firstName"],
            "birthDate": child["birthDate"],
            "needs": child["needs"],
        }
        profile = [n["value"] for n in child["needsProfile"]]
        if view.can(HEALTH):
            health = await view.run("ChildHealth", id=child_id)
            node = (health.data or {}).get("node") or {}
            given["diagnosis"] = node.get("diagnosis") or ""
            given["healthNotes"] = node.get("healthNotes") or ""
    else:
        given = {name: view.value(name) for name in CHILD_FIELDS}
        profile = view.values("needsProfile")
        values = _child_values(view, errors)
        if not errors:
            answer = await view.run("UpdateChild", id=child_id, input=values)
            errors = FormErrors.of(answer, "updateChild", form_fields=CHILD_FIELDS)
            if not errors:
                return _back(view, family, "child-updated")
    form = await view.run("ChildForm")
    return _form(
        view,
        "families/child.html",
        f"Corriger le dossier de {child['firstName']}",
        errors,
        family=family,
        child=child,
        given=given,
        profile=profile,
        needs_kinds=_options(form.data, "needsKinds"),
        show_health=view.can(HEALTH),
    )


def _page(path: str, handler: Any, *operations: str) -> Page:
    return Page(
        path,
        handler,
        methods=("GET", "POST"),
        action=MANAGE,
        operations=("FamilyFile", *operations),
    )


# Before ``/familles/{id:path}`` in the contribution: the first route that matches wins.
PAGES = [
    _page("/familles/corriger", edit_family, "CommunePick", "UpdateFamily"),
    _page("/familles/representant", add_guardian, "GuardianForm", "AddGuardian"),
    _page("/familles/consentement", record_consent, "ConsentForm", "RecordConsent"),
    _page("/familles/retirer-consentement", withdraw_consent, "WithdrawConsent"),
    _page("/familles/enfant", add_child, "ChildForm", "AddChild"),
    Page(
        "/enfants/corriger",
        edit_child,
        methods=("GET", "POST"),
        action=MANAGE,
        operations=("ChildEdit", "ChildHealth", "ChildForm", "UpdateChild"),
    ),
]
