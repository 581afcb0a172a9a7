"""Sitters: applications, skills, weekly availability and its exceptions, documents
sealed at rest, and the vetting path (applied → interview → documents checked →
approved, refused or suspended), each step by a staff member with a reason.

Every write adds its audit event in the same transaction, with field names only:
sitters are people, their names stay out of the trail.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from core import sdk
from plugins.handisitting import checks
from plugins.handisitting.models import (
    Availability,
    Document,
    Sitter,
    Skill,
    Unavailability,
    VettingStep,
)
from plugins.handisitting.vocabulary import (
    DEFAULT_SKILLS,
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    REQUIRED_DOCUMENTS,
    VETTING_STEPS,
    Background,
    DocumentKind,
    SitterStatus,
)

MAX_LANGUAGES = 10
REQUIRED_KINDS = frozenset(kind.value for kind in REQUIRED_DOCUMENTS)
SITTER_ROLE = "sitter"
NO_COPY = "original vu au pôle (pas de copie conservée)"
MAX_SLOTS = 21


@dataclass(frozen=True)
class Slot:
    """A weekly availability slot as a client sends it."""

    weekday: int
    starts_at: dt.time
    ends_at: dt.time


# --- vocabulary -----------------------------------------------------------------------


async def skills(session: AsyncSession) -> dict[str, str]:
    """The pole's skill vocabulary: the defaults, then the pole's own, code → label."""
    extra = await session.execute(select(Skill.code, Skill.label).order_by(Skill.label))
    return {**DEFAULT_SKILLS, **dict(extra.all())}


async def check_skills(session: AsyncSession, codes: Sequence[str], field: str) -> list[str]:
    known = await skills(session)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise sdk.ValidationError(f"compétence(s) inconnue(s) : {', '.join(unknown)}", field=field)
    return sorted(set(codes))


async def add_skill(session: AsyncSession, *, code: str, label: str, actor: str) -> Skill:
    code = checks.words(code, "input.code", label="Code", max_length=40).lower()
    if not code.replace("_", "").isalnum() or not code.isascii():
        raise sdk.ValidationError(
            "code : lettres minuscules sans accent, chiffres et _", field="input.code"
        )
    label = checks.words(label, "input.label", label="Libellé", max_length=200)
    if code in await skills(session):
        raise sdk.ConflictError(f"la compétence « {code} » existe déjà", field="input.code")
    row = Skill(code=code, label=label)
    session.add(row)
    await session.flush()
    checks.audit(session, actor, "add_skill", "skill", row.id, ["code", "label"])
    return row


# --- applications ---------------------------------------------------------------------


def _slots(slots: Sequence[Slot], field: str) -> list[Slot]:
    if len(slots) > MAX_SLOTS:
        raise sdk.ValidationError(f"{MAX_SLOTS} créneaux au plus", field=field)
    for i, slot in enumerate(slots):
        if not 0 <= slot.weekday <= 6:
            raise sdk.ValidationError("jour de 0 (lundi) à 6 (dimanche)", field=f"{field}.{i}")
        if slot.ends_at <= slot.starts_at:
            raise sdk.ValidationError(
                "la fin du créneau doit suivre son début", field=f"{field}.{i}.endsAt"
            )
    ordered = sorted(slots, key=lambda s: (s.weekday, s.starts_at))
    for a, b in itertools.pairwise(ordered):
        if a.weekday == b.weekday and b.starts_at < a.ends_at:
            raise sdk.ValidationError("deux créneaux se chevauchent", field=field)
    return ordered


async def apply(
    session: AsyncSession,
    *,
    departement_code: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    commune_insee: str,
    travel_km: int,
    background: str,
    background_detail: str,
    languages: Sequence[str],
    skill_codes: Sequence[str],
    availability: Sequence[Slot],
    actor: str,
    reason: str = "Candidature enregistrée",
) -> Sitter:
    """Record an application: staff type it in from a paper form or a phone call, or the
    candidate sends it herself from the pole's public page (``actor`` and ``reason``
    then say so in the vetting history and the audit trail)."""
    first_name = checks.words(first_name, "input.firstName", label="Prénom", max_length=100)
    last_name = checks.words(last_name, "input.lastName", label="Nom", max_length=100)
    address = checks.email(email, "input.email")
    phone = checks.words(phone, "input.phone", label="Téléphone", max_length=30, required=False)
    commune = await sdk.find_commune(session, commune_insee, field="input.communeInsee")
    if commune.departement_code != departement_code:
        raise sdk.ValidationError(
            f"la commune {commune.name} n'est pas dans le département du pôle",
            field="input.communeInsee",
        )
    if not 0 <= travel_km <= 200:
        raise sdk.ValidationError("de 0 à 200 km", field="input.travelKm")
    kind = checks.code(Background, background, "input.background")
    detail = checks.words(
        background_detail,
        "input.backgroundDetail",
        label="Études ou expérience",
        max_length=sdk.NOTE,
        required=False,
    )
    spoken = [checks.words(x, "input.languages", label="Langue", max_length=60) for x in languages]
    if len(spoken) > MAX_LANGUAGES:
        raise sdk.ValidationError(f"{MAX_LANGUAGES} langues au plus", field="input.languages")
    codes = await check_skills(session, skill_codes, "input.skills")
    slots = _slots(availability, "input.availability")
    if await session.scalar(select(Sitter.id).where(Sitter.email == address)):
        raise sdk.ConflictError(
            "une candidature existe déjà avec cette adresse", field="input.email"
        )
    sitter = Sitter(
        first_name=first_name,
        last_name=last_name,
        email=address,
        phone=phone,
        commune_insee=commune.id,
        travel_km=travel_km,
        background=kind.value,
        background_detail=detail,
        languages=spoken,
        skills=codes,
        status=SitterStatus.APPLIED.value,
    )
    session.add(sitter)
    await session.flush()
    session.add_all(
        Availability(
            sitter_id=sitter.id, weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at
        )
        for s in slots
    )
    session.add(
        VettingStep(
            sitter_id=sitter.id,
            status=SitterStatus.APPLIED.value,
            reason=reason,
            by=actor,
            at=checks.now(),
        )
    )
    checks.audit(
        session,
        actor,
        "apply",
        "sitter",
        sitter.id,
        [
            "first_name",
            "last_name",
            "email",
            "phone",
            "commune_insee",
            "travel_km",
            "background",
            "background_detail",
            "languages",
            "skills",
            "availability",
        ],
    )
    await session.flush()
    return sitter


async def set_availability(
    session: AsyncSession,
    *,
    sitter_id: uuid.UUID,
    skill_codes: Sequence[str] | None,
    availability: Sequence[Slot],
    actor: str,
) -> Sitter:
    """Replace the weekly slots (and the skills, when given)."""
    sitter = await checks.row(session, Sitter, sitter_id, "input.sitterId")
    slots = _slots(availability, "input.availability")
    fields = ["availability"]
    if skill_codes is not None:
        sitter.skills = await check_skills(session, skill_codes, "input.skills")
        fields.append("skills")
    await session.execute(delete(Availability).where(Availability.sitter_id == sitter.id))
    session.add_all(
        Availability(
            sitter_id=sitter.id, weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at
        )
        for s in slots
    )
    await session.flush()
    checks.audit(session, actor, "set_availability", "sitter", sitter.id, fields)
    return sitter


async def add_unavailability(
    session: AsyncSession,
    *,
    sitter_id: uuid.UUID,
    starts_on: dt.date,
    ends_on: dt.date,
    note: str,
    actor: str,
) -> Unavailability:
    sitter = await checks.row(session, Sitter, sitter_id, "input.sitterId")
    checks.day(starts_on, "input.startsOn", label="Début")
    if ends_on < starts_on:
        raise sdk.ValidationError("la fin précède le début", field="input.endsOn")
    note = checks.words(note, "input.note", label="Motif", max_length=200, required=False)
    row = Unavailability(sitter_id=sitter.id, starts_on=starts_on, ends_on=ends_on, note=note)
    session.add(row)
    await session.flush()
    checks.audit(
        session, actor, "add_unavailability", "sitter", sitter.id, ["starts_on", "ends_on"]
    )
    return row


# --- documents ------------------------------------------------------------------------


async def remove_unavailability(
    session: AsyncSession, *, unavailability_id: uuid.UUID, actor: str
) -> Sitter:
    """Withdraw an absence recorded by mistake (or cancelled): the sitter's file."""
    row = await checks.row(session, Unavailability, unavailability_id, "unavailabilityId")
    sitter = await checks.row(session, Sitter, row.sitter_id, "unavailabilityId")
    await session.delete(row)
    await session.flush()
    checks.audit(
        session, actor, "remove_unavailability", "sitter", sitter.id, ["starts_on", "ends_on"]
    )
    return sitter


def _sniff(data: bytes) -> str | None:
    """The content type the bytes really are (a file's name and declared type lie)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


async def add_document(
    session: AsyncSession,
    *,
    secret_key: str,
    sitter_id: uuid.UUID,
    kind: str,
    filename: str,
    data: bytes | None,
    issued_on: dt.date,
    expires_on: dt.date | None,
    actor: str,
) -> Document:
    """Store a document, sealed (decision 136). A renewed document is a new row: the
    old one stays until the retention purge, the newest of a kind is the one that counts."""
    sitter = await checks.row(session, Sitter, sitter_id, "input.sitterId")
    doc_kind = checks.code(DocumentKind, kind, "input.kind")
    if data is None:
        # Seen on the original at the pole, no copy kept (decision 136).
        name, content_type = NO_COPY, ""
    else:
        name = checks.words(filename, "input.filename", label="Nom du fichier", max_length=200)
        content_type = _check_file(data)
    checks.day(issued_on, "input.issuedOn", label="Date de délivrance")
    if issued_on > dt.date.today():
        raise sdk.ValidationError("date de délivrance dans le futur", field="input.issuedOn")
    if expires_on is not None and expires_on <= issued_on:
        raise sdk.ValidationError(
            "la date d'expiration doit suivre la délivrance", field="input.expiresOn"
        )
    row = Document(
        sitter_id=sitter.id,
        kind=doc_kind.value,
        filename=name,
        content_type=content_type,
        size=0 if data is None else len(data),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    session.add(row)
    await session.flush()  # the pole and the id are bound into the seal
    if data is not None:
        row.content = sdk.seal(secret_key, data, seal_context(row))
        await session.flush()
    checks.audit(
        session,
        actor,
        "add_document",
        "sitter",
        sitter.id,
        ["document.kind", "document.file", "document.issued_on", "document.expires_on"],
    )
    return row


def _check_file(data: bytes) -> str:
    """The file's real content type, or VALIDATION naming the field."""
    if not data:
        raise sdk.ValidationError("le fichier est vide", field="input.contentBase64")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise sdk.ValidationError(
            f"fichier trop gros ({len(data) // 1024} Ko) : {MAX_DOCUMENT_BYTES // 1024} Ko au plus",
            field="input.contentBase64",
        )
    content_type = _sniff(data)
    if content_type is None:
        raise sdk.ValidationError(
            f"type de fichier refusé : {', '.join(DOCUMENT_TYPES.values())} seulement",
            field="input.contentBase64",
        )
    return content_type


def seal_context(document: Document) -> str:
    # Bound into the cipher: a sealed file copied onto another row or pole does not open.
    return f"handisitting-document:{document.tenant_id}:{document.id}"


async def check_document(session: AsyncSession, *, document_id: uuid.UUID, actor: str) -> Document:
    """A staff member saw the original and vouches for the document."""
    document = await checks.row(session, Document, document_id, "input.documentId")
    document.checked_by = actor
    document.checked_at = checks.now()
    await session.flush()
    checks.audit(
        session, actor, "check_document", "sitter", document.sitter_id, ["document.checked"]
    )
    return document


async def documents(session: AsyncSession, sitter_ids: Sequence[uuid.UUID]) -> list[Document]:
    # The sealed files stay in the database: only a download reads them.
    rows = await session.execute(
        select(Document)
        .options(defer(Document.content))
        .where(Document.sitter_id.in_(sitter_ids))
        .order_by(Document.sitter_id, Document.kind, Document.issued_on.desc(), Document.id)
    )
    return list(rows.scalars())


def current_documents(rows: Sequence[Any]) -> dict[str, Any]:
    """The newest document of each kind (rows ordered newest first within a kind)."""
    found: dict[str, Any] = {}
    for row in rows:
        found.setdefault(row.kind, row)
    return found


def documents_allow(rows: Sequence[Any], today: dt.date) -> bool:
    """Whether the sitter may sit today: ``document_problems`` is empty (the rule
    written once more without its sentences, for ranking hundreds of sitters). Rows
    ordered by kind, newest first within a kind. Only the required documents count
    (decision 207)."""
    seen: set[str] = set()
    for row in rows:
        if row.kind not in REQUIRED_KINDS or row.kind in seen:
            continue
        seen.add(row.kind)
        if row.checked_at is None or (row.expires_on is not None and row.expires_on < today):
            return False
    return seen == REQUIRED_KINDS


def document_problems(rows: Sequence[Document], today: dt.date) -> list[str]:
    """Why the sitter's documents do not allow sittings today (French, empty if fine):
    a required document missing, not checked, or expired."""
    current = current_documents(rows)
    problems = []
    for kind in REQUIRED_DOCUMENTS:
        doc = current.get(kind.value)
        if doc is None:
            problems.append(f"{kind.label} manquant(e)")
        elif doc.checked_at is None:
            problems.append(f"{kind.label} non vérifié(e)")
        elif doc.expires_on is not None and doc.expires_on < today:
            problems.append(f"{kind.label} expiré(e) le {sdk.date_fr(doc.expires_on)}")
    return problems


def document_warnings(rows: Sequence[Any], today: dt.date) -> list[str]:
    """The optional documents (first aid, diploma or enrolment) whose current one has
    expired: staff are told on the sitter's file and with her candidacy, proposals go on
    (decisions 140 and 207). Rows ordered by kind, newest first within a kind."""
    current = current_documents(rows)
    return [
        f"{kind.label} expiré(e) le {sdk.date_fr(doc.expires_on)}"
        for kind in DocumentKind
        if kind.value not in REQUIRED_KINDS
        and (doc := current.get(kind.value)) is not None
        and doc.expires_on is not None
        and doc.expires_on < today
    ]


# --- vetting --------------------------------------------------------------------------


async def vet(
    session: AsyncSession,
    *,
    sitter_id: uuid.UUID,
    status: str,
    reason: str,
    actor: str,
    today: dt.date | None = None,
) -> Sitter:
    """Move a sitter one step along the vetting path, with the reason."""
    sitter = await checks.row(session, Sitter, sitter_id, "input.sitterId")
    target = checks.code(SitterStatus, status, "input.status")
    reason = checks.words(reason, "input.reason", label="Motif", max_length=sdk.NOTE)
    current = SitterStatus(sitter.status)
    allowed = VETTING_STEPS.get(target, frozenset())
    if current not in allowed:
        raise sdk.ConflictError(
            f"passage impossible de « {current.label} » à « {target.label} »",
            field="input.status",
        )
    if target in (SitterStatus.DOCUMENTS_CHECKED, SitterStatus.APPROVED):
        problems = document_problems(
            await documents(session, [sitter.id]), today or dt.date.today()
        )
        if problems:
            raise sdk.ValidationError(
                "pièces à régulariser : " + " ; ".join(problems), field="input.status"
            )
    sitter.status = target.value
    session.add(
        VettingStep(
            sitter_id=sitter.id, status=target.value, reason=reason, by=actor, at=checks.now()
        )
    )
    await session.flush()
    checks.audit(session, actor, "vet", "sitter", sitter.id, ["status", "reason"])
    return sitter


async def link_account(
    session: AsyncSession, *, sitter_id: uuid.UUID, user_id: uuid.UUID, actor: str
) -> Sitter:
    """Tie the sitter to the account they sign in with (a member of the pole with the
    ``sitter`` role, invited by the pole admin)."""
    sitter = await checks.row(session, Sitter, sitter_id, "input.sitterId")
    member = await sdk.find_staff_member(session, user_id, field="input.userId")
    if member.id not in {a.id for a in await sdk.list_staff_members(session, roles=[SITTER_ROLE])}:
        raise sdk.ValidationError(
            "ce compte n'a pas le rôle « intervenant·e de garde à domicile » : "
            "l'administrateur·rice du pôle le lui donne",
            field="input.userId",
        )
    other = await session.scalar(
        select(Sitter.id).where(Sitter.user_id == member.id, Sitter.id != sitter.id)
    )
    if other is not None:
        raise sdk.ConflictError(
            "ce compte est déjà celui d'un·e autre intervenant·e", field="input.userId"
        )
    sitter.user_id = member.id
    await session.flush()
    checks.audit(session, actor, "link_account", "sitter", sitter.id, ["user_id"])
    return sitter


async def free_accounts(session: AsyncSession) -> list[sdk.StaffMemberView]:
    """The pole's accounts with the ``sitter`` role that no sitter holds yet."""
    taken = set(
        (await session.execute(select(Sitter.user_id).where(Sitter.user_id.is_not(None))))
        .scalars()
        .all()
    )
    accounts = await sdk.list_staff_members(session, roles=[SITTER_ROLE], limit=1000)
    return [a for a in accounts if a.id not in taken]


async def sitter_of_user(session: AsyncSession, user_id: uuid.UUID | None) -> Sitter | None:
    if user_id is None:
        return None
    return await session.scalar(select(Sitter).where(Sitter.user_id == user_id))


async def vetting_history(
    session: AsyncSession, sitter_ids: Sequence[uuid.UUID]
) -> Mapping[uuid.UUID, list[VettingStep]]:
    rows = await session.execute(
        select(VettingStep)
        .where(VettingStep.sitter_id.in_(sitter_ids))
        .order_by(VettingStep.at, VettingStep.id)
    )
    found: dict[uuid.UUID, list[VettingStep]] = {}
    for step in rows.scalars():
        found.setdefault(step.sitter_id, []).append(step)
    return found


async def availability(
    session: AsyncSession, sitter_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[Availability]], dict[uuid.UUID, list[Unavailability]]]:
    """Weekly slots and exceptions of these sitters: two statements, whatever their number."""
    slots: dict[uuid.UUID, list[Availability]] = {}
    away: dict[uuid.UUID, list[Unavailability]] = {}
    for a in (
        await session.execute(
            select(Availability)
            .where(Availability.sitter_id.in_(sitter_ids))
            .order_by(Availability.weekday, Availability.starts_at)
        )
    ).scalars():
        slots.setdefault(a.sitter_id, []).append(a)
    for u in (
        await session.execute(
            select(Unavailability)
            .where(Unavailability.sitter_id.in_(sitter_ids))
            .order_by(Unavailability.starts_on)
        )
    ).scalars():
        away.setdefault(u.sitter_id, []).append(u)
    return slots, away


async def expiring(
    session: AsyncSession, *, today: dt.date, within_days: int
) -> list[tuple[Sitter, Document]]:
    """The current documents of sitters still in the pole's pool (not refused nor erased) that
    expire within ``within_days`` or have expired: the renewals to ask for. Two
    statements, whatever the number of sitters."""
    pool = list(
        (
            await session.execute(
                select(Sitter).where(
                    Sitter.status.not_in([SitterStatus.REFUSED.value, SitterStatus.ERASED.value])
                )
            )
        ).scalars()
    )
    by_sitter: dict[uuid.UUID, list[Document]] = {}
    for doc in await documents(session, [s.id for s in pool]):
        by_sitter.setdefault(doc.sitter_id, []).append(doc)
    limit = today + dt.timedelta(days=within_days)
    found = [
        (sitter, doc)
        for sitter in pool
        for doc in current_documents(by_sitter.get(sitter.id, [])).values()
        if doc.expires_on is not None and doc.expires_on <= limit
    ]
    return sorted(found, key=lambda pair: (pair[1].expires_on, pair[0].last_name))
