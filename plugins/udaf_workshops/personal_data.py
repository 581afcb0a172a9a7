"""A family's rows of the plugin in its export and erasure (``sdk.family_records``):
its registrations, and the light record of a parent who became that family, and its
answers to the needs questionnaire (``sdk.questionnaire_records``: listed, their free
text emptied before the registrations go). A parent not yet linked to a family is
erased on request by ``udafWorkshopsEraseParent``."""

from __future__ import annotations

from core import sdk
from plugins.udaf_workshops.models import Parent, Registration
from plugins.udaf_workshops.needs import SUBJECT
from plugins.udaf_workshops.vocabulary import RegistrationStatus


def _registration(row: Registration) -> dict[str, object]:
    return {
        "Atelier": str(row.workshop_id),
        "Statut": RegistrationStatus(row.status).label,
        "Parents inscrits": row.seats,
        "Parents venus": row.present,
        "Adresse des rappels": row.email or None,
        "Rappel envoyé le": row.reminded_on.isoformat() if row.reminded_on else None,
    }


def _parent(row: Parent) -> dict[str, object]:
    return {
        "Prénom": row.first_name,
        "Nom": row.last_name,
        "Adresse électronique": row.email or None,
        "Téléphone": row.phone or None,
        "Commune": row.commune_insee,
        "Consentement donné le": row.consent_on.isoformat(),
    }


@sdk.hookimpl
def maillage_personal_data() -> list[sdk.PersonalDataSource]:
    return [
        # The answers first: they are found through the registrations.
        sdk.questionnaire_records(
            SUBJECT,
            Registration.family_id,
            title="Réponses au questionnaire des besoins (ateliers UDAF)",
            order=35,
        ),
        # Registrations first: they point at the parent's record.
        sdk.family_records(
            Registration,
            title="Inscriptions aux ateliers parentalité (UDAF)",
            kind="Inscription à un atelier parentalité",
            type_name="UdafWorkshopsRegistration",
            describe=_registration,
            order=40,
        ),
        sdk.family_records(
            Parent,
            title="Fiche parent des ateliers parentalité (UDAF)",
            kind="Fiche parent (ateliers parentalité)",
            type_name="UdafWorkshopsParent",
            describe=_parent,
            order=45,
        ),
    ]
