"""The families' needs questionnaire « Besoins des familles » (core's questionnaires,
reached through ``core.sdk``): shipped as ``questionnaires/besoins.toml``, installed in
the pole when it enables the plugin, sent after a held workshop to each registration
that came and left an address, and summarised per year beside planned versus held —
the themes, moments and places the families ask for next year.

The questionnaire is about a registration (subject kind ``udaf_workshops_registration``):
one sending per registration that came, so core's rule « never twice for the same
subject » makes a second click send nobody twice. Answers are read only pooled: the
summary never shows one family's answer, and says « too few » under ``MIN_ANSWERS``
rather than printing shares of three answers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.udaf_workshops import service
from plugins.udaf_workshops.models import Registration, Workshop
from plugins.udaf_workshops.vocabulary import WorkshopStatus

PLUGIN = "udaf_workshops"
NEEDS = sdk.load_questionnaire(Path(__file__).parent / "questionnaires" / "besoins.toml")
SUBJECT = "udaf_workshops_registration"
# Under this many answers in a year, no share and no mean is shown: « trop peu ».
MIN_ANSWERS = 5
# The items the summary reads, by their stable keys (a new version keeps them).
THEMES, TIMES, PLACE, FORMAT, CHILDCARE, USEFULNESS = (
    "themes",
    "times",
    "place",
    "format",
    "childcare",
    "usefulness",
)


def _came(row: Registration) -> None:
    # Attendance is noted only on a held workshop: a registration that came is one of
    # a workshop that took place.
    if not row.present:
        raise sdk.ConflictError(
            "le questionnaire des besoins s'envoie aux parents venus à un atelier maintenu",
            field="subjectId",
        )


sdk.register_questionnaire_subject(
    PLUGIN, SUBJECT, "Après un atelier parentalité (UDAF)", Registration, ready=_came
)


@sdk.hookimpl
async def maillage_on_enable(
    tenant: sdk.Tenant, session: AsyncSession, settings: Mapping[str, Any]
) -> None:
    """The pole gets the questionnaire, published, the day it enables the plugin (kept
    as the pole made it when enabled again)."""
    await sdk.install_questionnaire(session, NEEDS)


# A parent not yet known to the pole is erased on request with its registrations
# (decision 150): the free texts of its answers go first, found through the same
# registrations. (The source's "family" is here the parent record.)
_PARENT_ANSWERS = sdk.questionnaire_records(
    SUBJECT, Registration.parent_id, title="Réponses d'un parent", order=35
)


async def forget_parent_answers(session: AsyncSession, parent_id: uuid.UUID) -> None:
    """Empty the free texts a parent wrote in the needs questionnaire (scores and choices,
    which name no one, stay in the year's summary)."""
    await _PARENT_ANSWERS.erase(session, sdk.FamilyScope(family_id=parent_id, child_ids=()))


# --- sending ---------------------------------------------------------------------------


@dataclass
class NeedsSending:
    """What one click did: mails to send, registrations that had it already, and those
    that came without leaving an address (the pole reaches them otherwise)."""

    workshop: Workshop
    notices: list[service.Notice] = field(default_factory=list)
    already_sent: int = 0
    without_email: int = 0


def _mail(row: Workshop, link: str, expires: dt.datetime, pole_name: str) -> tuple[str, str]:
    subject = "Vos besoins pour les prochains ateliers parentalité"
    body = (
        "Bonjour,\n\n"
        f"Merci d'être venu·e à l'atelier « {row.theme} » du {sdk.date_fr(row.held_on)}. "
        "Pour préparer avec l'UDAF les ateliers de l'an prochain, dites-nous en trois "
        "minutes ce dont votre famille a besoin : thèmes, moments, lieux, garde des "
        "enfants.\n\n"
        f"{link}\n\n"
        "Ce lien est personnel et ne sert qu'une fois ; il est valable jusqu'au "
        f"{sdk.date_fr(expires.date())}. Vos réponses ne sont lues que regroupées avec "
        "celles des autres familles.\n\n"
        f"{pole_name}"
    )
    return subject, body


async def send_needs(
    session: AsyncSession,
    tenant: sdk.Tenant,
    *,
    workshop_id: uuid.UUID,
    public_url: str,
    actor: str,
    now: dt.datetime | None = None,
) -> NeedsSending:
    """Send the needs questionnaire after a held workshop to each registration that
    came: by mail to its address (the family's for the workshops, or the parent's own),
    with its single-use link. Registrations already sent are counted, not sent again."""
    row = await session.scalar(
        select(Workshop).options(*service.workshop_options()).where(Workshop.id == workshop_id)
    )
    if row is None:
        raise sdk.NotFoundError("atelier introuvable dans ce pôle", field="input.workshopId")
    if row.status != WorkshopStatus.HELD.value:
        raise sdk.ConflictError(
            "le questionnaire des besoins s'envoie après un atelier maintenu",
            field="input.workshopId",
        )
    came = [
        r
        for r in (await service.registrations(session, [row.id]))[row.id]
        if r.status == service.REGISTERED and r.present
    ]
    if not came:
        raise sdk.ConflictError(
            "notez d'abord les parents venus : le questionnaire leur est envoyé",
            field="input.workshopId",
        )
    # A pole that enabled the plugin before it shipped the questionnaire gets it now.
    await sdk.install_questionnaire(session, NEEDS)
    done = NeedsSending(row)
    for registration in came:
        address = registration.email or (registration.parent.email if registration.parent else "")
        if not address:
            done.without_email += 1
            continue
        sent = await sdk.send_questionnaire(
            session,
            tenant,
            key=NEEDS.key,
            subject_kind=SUBJECT,
            subject_id=registration.id,
            sent_by=actor,
            now=now,
        )
        if sent is None:
            done.already_sent += 1
            continue
        subject, body = _mail(row, public_url + sent.path, sent.expires_at, tenant.name)
        done.notices.append(service.Notice(address, subject, body))
    sdk.audit(
        session,
        actor=actor,
        action=f"{PLUGIN}.send_needs_questionnaire",
        object_type=f"{PLUGIN}.workshop",
        object_id=str(row.id),
        fields=["questionnaire"],
    )
    return done


# --- the year's summary ----------------------------------------------------------------


@dataclass(frozen=True)
class Wish:
    """One option and how many answers chose it; its share (%) of the answers to that
    question."""

    value: str
    label: str
    count: int
    share: float | None


@dataclass
class NeedsSummary:
    """The answers received in a year, pooled: themes wished (most asked first),
    moments, places and forms, the share needing childcare, the mean usefulness (1–4).
    Under ``MIN_ANSWERS`` answers, only their number: ``enough`` is False."""

    year: int
    answers: int = 0
    enough: bool = False
    themes: list[Wish] = field(default_factory=list)
    times: list[Wish] = field(default_factory=list)
    places: list[Wish] = field(default_factory=list)
    formats: list[Wish] = field(default_factory=list)
    childcare_share: float | None = None
    usefulness_mean: float | None = None

    @property
    def sentence(self) -> str:
        """What the report and the screens say first: « 12 réponses ; thèmes les plus
        demandés : le sommeil (8), la fratrie (6), la scolarisation à venir (5) »."""
        if not self.answers:
            return "aucune réponse au questionnaire des besoins"
        noun = "réponse" if self.answers == 1 else "réponses"
        if not self.enough:
            return (
                f"{self.answers} {noun} au questionnaire des besoins : trop peu (moins de "
                f"{MIN_ANSWERS}) pour en tirer des parts"
            )
        top = ", ".join(f"{in_sentence(w.label)} ({w.count})" for w in self.themes[:3] if w.count)
        text = f"{self.answers} {noun} au questionnaire des besoins"
        return text + (f" ; thèmes les plus demandés : {top}" if top else "")


def in_sentence(label: str) -> str:
    """A label inside a sentence: « Les démarches auprès de la MDPH » → « les démarches
    auprès de la MDPH » (only the first letter is lowered)."""
    return label[:1].lower() + label[1:]


def _share(count: int, of: int) -> float | None:
    return round(100 * count / of, 1) if of else None


def _wishes(results: sdk.QuestionnaireResults, key: str) -> list[Wish]:
    item = results.item(key)
    if item is None:
        return []
    wishes = [
        Wish(
            c.value,
            c.label,
            c.count,
            _share(c.count, item.answers),
        )
        for c in item.counts
    ]
    # Most asked first; the questionnaire's order between equals.
    return sorted(wishes, key=lambda w: -w.count)


async def needs_summary(session: AsyncSession, year: int) -> NeedsSummary:
    """The year's answers (received from 1 January to 31 December), pooled."""
    period = sdk.Period.year(year)
    results = await sdk.questionnaire_results(
        session, key=NEEDS.key, start=period.start, end=period.end, subject_kind=SUBJECT
    )
    summary = NeedsSummary(year)
    if results is None:
        return summary
    summary.answers = results.responses
    summary.enough = results.responses >= MIN_ANSWERS
    if not summary.enough:
        return summary
    summary.themes = _wishes(results, THEMES)
    summary.times = _wishes(results, TIMES)
    summary.places = _wishes(results, PLACE)
    summary.formats = _wishes(results, FORMAT)
    childcare = results.item(CHILDCARE)
    if childcare is not None and childcare.answers:
        yes = next((c.count for c in childcare.counts if c.value == "yes"), 0)
        summary.childcare_share = _share(yes, childcare.answers)
    usefulness = results.item(USEFULNESS)
    if usefulness is not None:
        summary.usefulness_mean = usefulness.scale.mean
    return summary
