"""The plugin's screens in the staff web app, contributed through ``maillage_pages``,
``maillage_navigation`` and ``maillage_panels``: the year's conventions with their
outcome (planned, held, cancelled and why), workshops and the families' needs for next
year, recording a convention, planning a workshop, a workshop's page (registrations,
waiting list, status, reminders, attendance, the needs questionnaire), a section on the
family's page, and the minimum rule's alert on the home page.

Only ``core.sdk`` and this package; templates in ``templates/udaf_workshops``, named
operations in ``operations/``. A pole that did not enable the plugin gets 404 on
every path and no navigation entry or section: the engine sees to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core import sdk

HERE = Path(__file__).parent
READ, MANAGE = "udaf_workshops.read", "udaf_workshops.manage"
BASE = "/ateliers-udaf"
NOTICES = {
    "convention": "La convention est enregistrée.",
    "workshop": "L'atelier est planifié.",
    "status": "Le statut de l'atelier est enregistré.",
    "cancelled": "L'atelier est annulé ; les parents inscrits sont prévenus par courriel.",
    "registered": "L'inscription est enregistrée.",
    "waiting": "L'atelier est complet : l'inscription est sur liste d'attente.",
    "withdrawn": "L'inscription est retirée ; la liste d'attente a avancé.",
    "attendance": "La présence est enregistrée.",
    "reminders": "Les rappels sont envoyés.",
    "linked": "Le parent est rattaché à sa famille : ses inscriptions la suivent.",
    "erased": "La fiche du parent et ses inscriptions sont effacées.",
}
CONVENTION_FIELDS = (
    "partnerId",
    "year",
    "workshopsPlanned",
    "territory",
    "funder",
    "fundingAmount",
    "status",
)
WORKSHOP_FIELDS = (
    "heldOn",
    "startTime",
    "endTime",
    "commune",
    "place",
    "theme",
    "capacity",
    "minimumParticipants",
    "udafFacilitators",
)
STATUS_FIELDS = ("status", "reason", "note")
REGISTER_FIELDS = ("familyId", "seats", "email", "firstName", "lastName", "phone", "consent")


def _uw(result: sdk.OperationResult) -> dict[str, Any]:
    return (result.data or {}).get("udafWorkshops") or {}


def _plural(count: int, one: str, many: str) -> str:
    return f"{sdk.number_fr(count)} {one if count == 1 else many}"


def _needs_notice(params: Any) -> str:
    """What one click on « Envoyer le questionnaire des besoins » did, from the counts
    the redirect carries."""
    sent, already, without = (_int(params.get(name, "0")) for name in ("envoyes", "deja", "sans"))
    parts = [
        "Questionnaire des besoins : "
        + (_plural(sent, "envoi", "envois") + " par courriel" if sent else "aucun nouvel envoi")
    ]
    if already:
        parts.append(
            _plural(already, "inscription l'avait déjà reçu", "inscriptions l'avaient déjà reçu")
        )
    if without:
        parts.append(
            _plural(without, "inscription venue", "inscriptions venues")
            + " sans adresse électronique, à joindre autrement"
        )
    return " ; ".join(parts) + "."


def _render(view: sdk.PageView, template: str, title: str, **values: Any) -> Response:
    errors = values.get("errors")
    ok = view.request.query_params.get("ok", "")
    notice = _needs_notice(view.request.query_params) if ok == "needs" else NOTICES.get(ok)
    return view.render(
        f"udaf_workshops/{template}",
        status_code=400 if errors else 200,
        title=title,
        notice=notice,
        **values,
    )


async def conventions(view: sdk.PageView) -> Response:
    """The year's conventions with their outcome and workshops; a new convention."""
    year = sdk.year_param(view)
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in CONVENTION_FIELDS}
    if view.request.method == "GET":
        given.update(year=str(year), status="signed", workshopsPlanned="5")
    # « Chercher » in the partners' picker: the form comes back, nothing saved.
    elif view.can(MANAGE) and not sdk.search_asked(view, sdk.PARTNER_PICKER):
        number = sdk.count_field(errors, "year", given["year"], required=True)
        planned = sdk.count_field(
            errors, "workshopsPlanned", given["workshopsPlanned"], required=True
        )
        amount = sdk.decimal_field(errors, "fundingAmount", given["fundingAmount"], required=False)
        if not given["partnerId"]:
            errors.add("partnerId", "Choisissez le partenaire de la convention.")
        if not errors:
            answer = await view.run(
                "UwRecordConvention",
                input={
                    "partnerId": given["partnerId"],
                    "year": number,
                    "workshopsPlanned": planned,
                    "territory": given["territory"],
                    "funder": given["funder"],
                    "fundingAmount": None if amount is None else f"{amount:.2f}",
                    "status": given["status"] or "signed",
                },
            )
            errors = sdk.FormErrors.of(
                answer, "udafWorkshopsRecordConvention", form_fields=CONVENTION_FIELDS
            )
            if not errors:
                return view.redirect(BASE, annee=str(number), ok="convention")
    data = _uw(await view.run("UwConventions", year=year))
    # Any partner of the pole, found by its name past the first hundred.
    partners = await sdk.pick(view, sdk.PARTNER_PICKER, "partnerId", chosen=given["partnerId"])
    return _render(
        view,
        "conventions.html",
        f"Ateliers parentalité avec l'UDAF — {year}",
        year=year,
        conventions=data.get("conventions") or [],
        alerts=data.get("belowMinimum") or [],
        needs=data.get("needsSummary"),
        statuses=data.get("conventionStatuses") or [],
        partners=partners,
        given=given,
        errors=errors,
    )


async def plan(view: sdk.PageView) -> Response:
    """Plan a workshop in a convention (``?convention=`` its id)."""
    convention_id = view.value("convention")
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in WORKSHOP_FIELDS}
    if view.request.method == "GET":
        given.update(startTime="09:30", endTime="11:30", capacity="10", minimumParticipants="5")
    else:
        held = sdk.date_field(errors, "heldOn", given["heldOn"], required=True)
        capacity = sdk.count_field(errors, "capacity", given["capacity"], required=True)
        minimum = sdk.count_field(
            errors, "minimumParticipants", given["minimumParticipants"], required=True
        )
        times = {}
        for name in ("startTime", "endTime"):
            try:
                times[name] = dt.time.fromisoformat(given[name]).isoformat(timespec="minutes")
            except ValueError:
                errors.add(name, "Indiquez une heure, par exemple 09:30.")
        insee = await sdk.commune_field(view, errors, given["commune"])
        if not errors:
            answer = await view.run(
                "UwPlanWorkshop",
                input={
                    "conventionId": convention_id,
                    "heldOn": held,
                    **times,
                    "communeInsee": insee,
                    "place": given["place"],
                    "theme": given["theme"],
                    "capacity": capacity,
                    "minimumParticipants": minimum,
                    "udafFacilitators": [
                        n.strip() for n in given["udafFacilitators"].split(",") if n.strip()
                    ],
                },
            )
            errors = sdk.FormErrors.of(
                answer,
                "udafWorkshopsPlanWorkshop",
                form_fields=WORKSHOP_FIELDS,
                aliases={"communeInsee": "commune"},
            )
            if not errors:
                workshop = answer.data["udafWorkshopsPlanWorkshop"]["workshop"]  # type: ignore[index]
                return view.redirect(f"{BASE}/ateliers/{workshop['id']}", ok="workshop")
    answer = await view.run("UwPlanForm", id=convention_id)
    convention = _uw(answer).get("convention")
    if convention is None:
        return view.not_found()
    return _render(
        view,
        "plan.html",
        "Planifier un atelier",
        convention=convention,
        given=given,
        errors=errors,
    )


async def workshop(view: sdk.PageView) -> Response:
    """A workshop: its registrations and waiting list; for a manager, moving it along
    or cancelling it, registering a family or a new parent, withdrawing, reminders,
    attendance (each form posts its ``form`` name)."""
    workshop_id = view.request.path_params["id"]
    errors = sdk.FormErrors()
    given = {name: view.value(name) for name in (*STATUS_FIELDS, *REGISTER_FIELDS)}
    form = view.value("form")
    here = f"{BASE}/ateliers/{workshop_id}"
    if view.request.method == "POST" and view.can(MANAGE) and form == "needs":
        answer = await view.run("UwSendNeedsQuestionnaire", input={"workshopId": workshop_id})
        errors = sdk.FormErrors.of(answer, "udafWorkshopsSendNeedsQuestionnaire", form_fields=())
        if not errors:
            done = answer.data["udafWorkshopsSendNeedsQuestionnaire"]  # type: ignore[index]
            return view.redirect(
                here,
                ok="needs",
                envoyes=str(done["sent"]),
                deja=str(done["alreadySent"]),
                sans=str(done["withoutEmail"]),
            )
    elif (
        view.request.method == "POST"
        and view.can(MANAGE)
        and form in FORMS
        # « Chercher » in the register form's family picker: the form comes back with
        # the list narrowed and what was typed kept, nothing saved.
        and not (form == "register" and sdk.search_asked(view, sdk.FAMILY_PICKER))
    ):
        errors, notice = await FORMS[form](view, workshop_id, given)
        if not errors:
            return view.redirect(here, ok=notice)
    answer = await view.run("UwWorkshop", id=workshop_id)
    data = _uw(answer)
    found = data.get("workshop")
    if found is None:
        return view.not_found()
    # Any family of the pole, found by its name past the first hundred (the link forms
    # of the newcomers offer the same list).
    families = await sdk.pick(
        view, sdk.FAMILY_PICKER, "familyId", chosen=given["familyId"] if form == "register" else ""
    )
    return _render(
        view,
        "workshop.html",
        f"Atelier « {found['theme']} »",
        workshop=found,
        reasons=data.get("cancelReasons") or [],
        families=families,
        today=dt.date.today().isoformat(),
        given=given,
        form=form,
        errors=errors,
    )


Posted = tuple[sdk.FormErrors, str]


async def _status(view: sdk.PageView, workshop_id: str, given: dict[str, str]) -> Posted:
    answer = await view.run(
        "UwChangeStatus",
        input={
            "workshopId": workshop_id,
            "status": given["status"],
            "reason": given["reason"] or None,
            "note": given["note"],
        },
    )
    errors = sdk.FormErrors.of(answer, "udafWorkshopsChangeStatus", form_fields=STATUS_FIELDS)
    return errors, "cancelled" if given["status"] == "cancelled" else "status"


async def _attendance(view: sdk.PageView, workshop_id: str, given: dict[str, str]) -> Posted:
    lines = [
        {"registrationId": rid, "present": _int(view.value(f"present-{rid}"))}
        for rid in view.values("registrations")
    ]
    answer = await view.run("UwRecordAttendance", input={"workshopId": workshop_id, "lines": lines})
    return sdk.FormErrors.of(answer, "udafWorkshopsRecordAttendance", form_fields=()), "attendance"


def _button(operation: str, payload: str, notice: str, **names: str) -> Any:
    """A form of one button (withdraw, remind, link, erase): the operation's variables
    come from the posted fields named in ``names`` (``workshop`` is the page's)."""

    async def post(view: sdk.PageView, workshop_id: str, given: dict[str, str]) -> Posted:
        variables = {
            variable: workshop_id if posted == "workshop" else view.value(posted)
            for variable, posted in names.items()
        }
        answer = await view.run(operation, **variables)
        return sdk.FormErrors.of(answer, payload, form_fields=()), notice

    return post


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


async def _register(view: sdk.PageView, workshop_id: str, given: dict[str, str]) -> Posted:
    errors = sdk.FormErrors()
    seats = sdk.count_field(errors, "seats", given["seats"] or "1", required=True)
    if errors:
        return errors, ""
    new_parent = given["familyId"] == "" and (given["firstName"] or given["lastName"])
    payload: dict[str, Any] = {"workshopId": workshop_id, "seats": seats, "email": given["email"]}
    if new_parent:
        payload["parent"] = {
            "firstName": given["firstName"],
            "lastName": given["lastName"],
            "email": given["email"],
            "phone": given["phone"],
            "consent": given["consent"] == "oui",
        }
        payload["email"] = ""
    elif given["familyId"]:
        payload["familyId"] = given["familyId"]
    else:
        errors.add("familyId", "Choisissez une famille du pôle, ou notez un nouveau parent.")
        return errors, ""
    answer = await view.run("UwRegister", input=payload)
    errors = sdk.FormErrors.of(
        answer,
        "udafWorkshopsRegister",
        form_fields=REGISTER_FIELDS,
        aliases={"input.parent.email": "email", "input.parentId": "familyId"},
    )
    if errors:
        return errors, ""
    status = answer.data["udafWorkshopsRegister"]["registration"]["status"]["value"]  # type: ignore[index]
    return errors, "waiting" if status == "waiting" else "registered"


# The forms of a workshop's page, by the ``form`` each posts.
FORMS = {
    "status": _status,
    "register": lambda view, workshop_id, given: _register(view, workshop_id, given),
    "attendance": _attendance,
    "withdraw": _button(
        "UwWithdraw", "udafWorkshopsWithdraw", "withdrawn", registrationId="registration"
    ),
    "reminders": _button(
        "UwSendReminders", "udafWorkshopsSendReminders", "reminders", workshopId="workshop"
    ),
    "link": _button(
        "UwLinkParent", "udafWorkshopsLinkParent", "linked", parentId="parent", familyId="family"
    ),
    "erase": _button("UwEraseParent", "udafWorkshopsEraseParent", "erased", parentId="parent"),
}


@sdk.hookimpl
def maillage_pages() -> sdk.PageContribution:
    form = ("GET", "POST")
    return sdk.PageContribution(
        pages=[
            sdk.Page(
                BASE,
                conventions,
                methods=form,
                action=READ,
                operations=("UwConventions", "UwRecordConvention", *sdk.PICKER_OPERATIONS),
            ),
            sdk.Page(
                f"{BASE}/planifier",
                plan,
                methods=form,
                action=MANAGE,
                operations=("UwPlanForm", "CommunePick", "UwPlanWorkshop"),
            ),
            sdk.Page(
                f"{BASE}/ateliers/{{id}}",
                workshop,
                methods=form,
                action=READ,
                operations=(
                    *sdk.PICKER_OPERATIONS,
                    "UwWorkshop",
                    "UwChangeStatus",
                    "UwRegister",
                    "UwWithdraw",
                    "UwSendReminders",
                    "UwRecordAttendance",
                    "UwSendNeedsQuestionnaire",
                    "UwLinkParent",
                    "UwEraseParent",
                ),
            ),
        ],
        templates=HERE / "templates",
        operations=HERE / "operations",
    )


@sdk.hookimpl
def maillage_navigation() -> list[sdk.NavEntry]:
    return [sdk.NavEntry("Ateliers UDAF", BASE, action=READ, order=75)]


@sdk.hookimpl
def maillage_panels() -> list[sdk.Panel]:
    return [
        sdk.Panel(
            slot="family",
            title="Ateliers parentalité (UDAF)",
            operation="UwFamilyPanel",
            template="udaf_workshops/family_panel.html",
            action=READ,
        ),
        sdk.Panel(
            slot="home",
            title="Ateliers parentalité : minimum et rappels",
            operation="UwHomePanel",
            template="udaf_workshops/home_panel.html",
            action=READ,
        ),
    ]
