"""The rules of an SNU awareness day, for GraphQL and any later entry point: validate,
then write.

Every check raises a coded error naming the GraphQL input field at fault
(``input.endsOn``…) with a French message; the mutation turns it into a payload error
and the transaction is rolled back whole. Every write adds its audit event in the same
transaction, with field names only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core import sdk
from plugins.snu_sessions.models import (
    Facilitator,
    Group,
    Material,
    QuizItem,
    QuizResponse,
    QuizWindow,
    Session,
)
from plugins.snu_sessions.vocabulary import CancelReason, Method, Objective, Status

PLUGIN = "snu_sessions"
EARLIEST = dt.date(2015, 1, 1)
MAX_GROUPS = 30
MAX_GROUP_SIZE = 500
MAX_FACILITATORS = 10
E = TypeVar("E", Method, Objective)


def _audit(
    session: AsyncSession, actor: str, action: str, kind: str, id_: uuid.UUID, fields: list[str]
) -> None:
    sdk.audit(
        session,
        actor=actor,
        action=f"{PLUGIN}.{action}",
        object_type=f"{PLUGIN}.{kind}",
        object_id=str(id_),
        fields=fields,
    )


def codes(vocabulary: type[E], given: Sequence[str], field: str) -> list[str]:
    """Codes of a vocabulary sent by a client, in the vocabulary's order, each once."""
    known = {v.value for v in vocabulary}
    unknown = [c for c in given if c not in known]
    if unknown:
        raise sdk.ValidationError(
            f"code inconnu « {unknown[0]} » (codes : {', '.join(sorted(known))})", field=field
        )
    return [v.value for v in vocabulary if v.value in set(given)]


def parse(vocabulary: type[Enum], code: str, field: str) -> Enum:
    try:
        return vocabulary(code)
    except ValueError:
        known = ", ".join(str(v.value) for v in vocabulary)
        raise sdk.ValidationError(
            f"code inconnu « {code} » (codes : {known})", field=field
        ) from None


# --- reading ---------------------------------------------------------------------------


def _session_options() -> list[object]:
    # Everything a session node shows, in a few batched statements for a whole page.
    return [
        selectinload(Session.groups).selectinload(Group.facilitators),
        selectinload(Session.materials),
        selectinload(Session.windows),
    ]


def sessions_query(*, year: int | None = None) -> object:
    statement = select(Session).options(*_session_options())
    if year is not None:
        period = sdk.Period.year(year)
        statement = statement.where(
            Session.starts_on >= period.start, Session.starts_on < period.end
        )
    return statement.order_by(Session.starts_on.desc(), Session.id)


async def sessions_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Session]:
    rows = await session.execute(
        select(Session).options(*_session_options()).where(Session.id.in_(ids))
    )
    return list(rows.scalars())


async def groups_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Group]:
    rows = await session.execute(
        select(Group).options(selectinload(Group.facilitators)).where(Group.id.in_(ids))
    )
    return list(rows.scalars())


async def fresh(session: AsyncSession, id_: uuid.UUID) -> Session:
    """A session just written, with what its node shows loaded afresh."""
    row = await session.scalar(
        select(Session)
        .options(*_session_options())
        .where(Session.id == id_)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def find_session(session: AsyncSession, id_: uuid.UUID | None, field: str) -> Session:
    row = None if id_ is None else await sdk.get(session, Session, id_)
    if row is None:
        raise sdk.NotFoundError("introuvable dans ce pôle", field=field)
    return row


def refuse_cancelled(row: Session, field: str) -> None:
    """A cancelled day did not take place: nothing that says it did is recorded."""
    if row.status == Status.CANCELLED.value:
        raise sdk.ConflictError("cette journée est annulée : rétablissez-la d'abord", field=field)


async def response_counts(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], int]:
    """Responses per session and phase, for a page of sessions: one statement."""
    rows = await session.execute(
        select(QuizResponse.session_id, QuizResponse.phase, func.count())
        .where(QuizResponse.session_id.in_(ids))
        .group_by(QuizResponse.session_id, QuizResponse.phase)
    )
    return {(s, p): int(n) for s, p, n in rows}


# --- sessions --------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    centre: str
    commune_insee: str
    starts_on: dt.date
    ends_on: dt.date
    methods: Sequence[str]
    objectives: Sequence[str]
    notes: str
    kit_ids: Sequence[str]


async def _check(session: AsyncSession, data: SessionInput) -> tuple[str, list[uuid.UUID]]:
    centre = sdk.clean_text(data.centre, Session.centre, "input.centre", one_line=True)
    await sdk.find_commune(session, data.commune_insee, field="input.communeInsee")
    if data.starts_on < EARLIEST:
        raise sdk.ValidationError("date antérieure à 2015, vérifiez", field="input.startsOn")
    if data.ends_on < data.starts_on:
        raise sdk.ValidationError(
            "le dernier jour ne peut pas précéder le premier", field="input.endsOn"
        )
    if (data.ends_on - data.starts_on).days > 14:
        raise sdk.ValidationError(
            "une journée de sensibilisation dure au plus deux semaines", field="input.endsOn"
        )
    kits: list[uuid.UUID] = []
    for kit_id in data.kit_ids:
        kit = await sdk.find_kit(session, kit_id, field="input.kitIds")
        if kit.id not in kits:
            kits.append(kit.id)
    return centre, kits


async def record_session(
    session: AsyncSession, data: SessionInput, *, actor: str, id_: uuid.UUID | None = None
) -> Session:
    """A new session, or (``id_``) the same session corrected."""
    centre, kits = await _check(session, data)
    methods = codes(Method, data.methods, "input.methods")
    objectives = codes(Objective, data.objectives, "input.objectives")
    notes = sdk.clean_text(data.notes, Session.notes, "input.notes", required=False)
    if id_ is None:
        row = Session(centre=centre, commune_insee=data.commune_insee.strip())
        session.add(row)
    else:
        row = await find_session(session, id_, "id")
        await session.execute(delete(Material).where(Material.session_id == row.id))
    row.centre, row.commune_insee = centre, data.commune_insee.strip()
    row.starts_on, row.ends_on = data.starts_on, data.ends_on
    row.methods, row.objectives, row.notes = methods, objectives, notes
    await session.flush()
    session.add_all(Material(session_id=row.id, kit_id=k) for k in kits)
    await session.flush()
    _audit(
        session,
        actor,
        "record_session" if id_ is None else "update_session",
        "session",
        row.id,
        ["centre", "commune_insee", "starts_on", "ends_on", "methods", "objectives", "notes"]
        + (["materials"] if kits or id_ else []),
    )
    return row


def _uuid_or_none(value: str) -> uuid.UUID | None:
    """The UUID of a raw id or of a global id (``StaffMember.userId`` is raw)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        pass
    try:
        return uuid.UUID(sdk.relay.from_base64(str(value))[1])
    except Exception:
        return None


@dataclass(frozen=True)
class GroupInput:
    name: str
    size: int
    staff_ids: Sequence[str]
    partner_ids: Sequence[str]


async def record_group(
    session: AsyncSession,
    session_id: uuid.UUID,
    data: GroupInput,
    *,
    actor: str,
    id_: uuid.UUID | None = None,
) -> Group:
    """A group of a session with its size and facilitators (a correction replaces them)."""
    parent = await find_session(session, session_id, "input.sessionId")
    name = sdk.clean_text(data.name, Group.name, "input.name", one_line=True)
    if not 1 <= data.size <= MAX_GROUP_SIZE:
        raise sdk.ValidationError(
            f"taille du groupe entre 1 et {MAX_GROUP_SIZE}", field="input.size"
        )
    if len(data.staff_ids) + len(data.partner_ids) > MAX_FACILITATORS:
        raise sdk.ValidationError(
            f"{MAX_FACILITATORS} animateurs au plus par groupe", field="input.staffIds"
        )
    # A correction keeps the facilitators the group already had without asking again
    # whether they are in the team: one who left the pole still ran that group.
    kept: set[uuid.UUID] = set()
    if id_ is not None:
        kept = set(
            (
                await session.execute(
                    select(Facilitator.staff_user_id).where(
                        Facilitator.group_id == id_, Facilitator.staff_user_id.is_not(None)
                    )
                )
            ).scalars()
        )
    staff: list[uuid.UUID] = []
    for given in data.staff_ids:
        known = _uuid_or_none(given)
        if known is None or known not in kept:
            known = (await sdk.find_staff_member(session, given, field="input.staffIds")).id
        if known not in staff:
            staff.append(known)
    partners = list(
        dict.fromkeys(
            [
                (await sdk.find_partner(session, p, field="input.partnerIds")).id
                for p in data.partner_ids
            ]
        )
    )
    others = select(Group.id).where(Group.session_id == parent.id, Group.name == name)
    if id_ is not None:
        others = others.where(Group.id != id_)
    if await session.scalar(others):
        raise sdk.ConflictError(f"un groupe « {name} » existe déjà", field="input.name")
    if id_ is None:
        count = await session.scalar(select(func.count()).where(Group.session_id == parent.id))
        if (count or 0) >= MAX_GROUPS:
            raise sdk.ValidationError(f"{MAX_GROUPS} groupes au plus", field="input.name")
        row = Group(session_id=parent.id, name=name, size=data.size)
        session.add(row)
    else:
        found = await sdk.get(session, Group, id_)
        if found is None or found.session_id != parent.id:
            raise sdk.NotFoundError("introuvable dans ce pôle", field="id")
        row = found
        if row.present is not None and row.present > data.size:
            raise sdk.ValidationError(
                f"{row.present} présents sont déjà notés : la taille ne peut pas être plus petite",
                field="input.size",
            )
        await session.execute(delete(Facilitator).where(Facilitator.group_id == row.id))
    row.name, row.size = name, data.size
    await session.flush()
    session.add_all(Facilitator(group_id=row.id, staff_user_id=s) for s in staff)
    session.add_all(Facilitator(group_id=row.id, partner_id=p) for p in partners)
    await session.flush()
    _audit(
        session,
        actor,
        "record_group" if id_ is None else "update_group",
        "group",
        row.id,
        ["name", "size", "facilitators"],
    )
    return row


async def remove_group(session: AsyncSession, group_id: uuid.UUID, *, actor: str) -> Session:
    """Remove a group recorded by mistake; refused (CONFLICT) while its attendance is
    noted: young people were counted in it. The quiz's answers are the session's, not
    a group's: they stay. Returns the session."""
    group = await sdk.get(session, Group, group_id)
    if group is None:
        raise sdk.NotFoundError("introuvable dans ce pôle", field="id")
    if group.present is not None:
        raise sdk.ConflictError(
            f"{group.present} présents sont notés pour ce groupe : videz d'abord sa case "
            "dans « Noter les présents », ou corrigez le groupe plutôt que de le retirer",
            field="id",
        )
    parent = await find_session(session, group.session_id, "id")
    await session.execute(delete(Facilitator).where(Facilitator.group_id == group.id))
    await session.execute(delete(Group).where(Group.id == group.id))
    sdk.record_deletions(session, "SnuSessionsGroup", [group.id])
    _audit(session, actor, "remove_group", "group", group.id, [])
    return parent


async def record_attendance(
    session: AsyncSession,
    session_id: uuid.UUID,
    present: dict[uuid.UUID, int | None],
    *,
    actor: str,
) -> Session:
    """Young people present per group (counted, never named); None clears a count
    noted by mistake."""
    parent = await find_session(session, session_id, "input.sessionId")
    refuse_cancelled(parent, "input.sessionId")
    groups = {
        g.id: g
        for g in (
            await session.execute(select(Group).where(Group.session_id == parent.id))
        ).scalars()
    }
    for group_id, count in present.items():
        group = groups.get(group_id)
        if group is None:
            raise sdk.NotFoundError("introuvable dans cette session", field="input.groups")
        if count is None:
            group.present = None
            continue
        if count < 0:
            raise sdk.ValidationError(
                "un nombre de présents ne peut être négatif", field="input.groups"
            )
        if count > group.size:
            raise sdk.ValidationError(
                f"{group.name} : {count} présents pour un groupe de {group.size}",
                field="input.groups",
            )
        group.present = count
    await session.flush()
    _audit(session, actor, "record_attendance", "session", parent.id, ["present"])
    return parent


async def delete_session(session: AsyncSession, session_id: uuid.UUID, *, actor: str) -> None:
    row = await find_session(session, session_id, "id")
    if await session.scalar(
        select(QuizResponse.id).where(QuizResponse.session_id == row.id).limit(1)
    ):
        raise sdk.ConflictError(
            "cette session a des réponses au quiz : elle est gardée pour les résultats",
            field="id",
        )
    for model in (QuizItem, QuizWindow, Material, Group):
        await session.execute(delete(model).where(model.session_id == row.id))
    await session.execute(delete(Session).where(Session.id == row.id))
    sdk.record_deletions(session, "SnuSessionsSession", [row.id])
    _audit(session, actor, "delete_session", "session", row.id, [])


# --- cancelling ------------------------------------------------------------------------


async def cancel_session(
    session: AsyncSession, session_id: uuid.UUID, reason: str, note: str, *, actor: str
) -> Session:
    """A planned day that will not take place, with the reason (decision 169). Refused
    once it took place: attendance noted or quiz answers received."""
    row = await find_session(session, session_id, "id")
    if row.status == Status.CANCELLED.value:
        raise sdk.ConflictError("cette journée est déjà annulée", field="id")
    code = parse(CancelReason, reason, "input.reason")
    note = sdk.clean_text(note, Session.cancel_note, "input.note", required=False)
    if code is CancelReason.OTHER and not note:
        raise sdk.ValidationError("précisez la raison de l'annulation", field="input.note")
    noted = await session.scalar(
        select(func.count()).where(Group.session_id == row.id, Group.present.is_not(None))
    )
    if noted:
        raise sdk.ConflictError(
            "des présents sont notés : la journée a eu lieu (videz les présents s'ils ont "
            "été notés par erreur)",
            field="id",
        )
    if await session.scalar(
        select(QuizResponse.id).where(QuizResponse.session_id == row.id).limit(1)
    ):
        raise sdk.ConflictError(
            "le questionnaire a reçu des réponses : la journée a eu lieu", field="id"
        )
    row.status, row.cancel_reason, row.cancel_note = Status.CANCELLED.value, code.value, note
    await session.flush()
    _audit(
        session,
        actor,
        "cancel_session",
        "session",
        row.id,
        ["status", "cancel_reason", "cancel_note"],
    )
    return row


async def reinstate_session(session: AsyncSession, session_id: uuid.UUID, *, actor: str) -> Session:
    """Undo a cancellation: the day is planned again, its reason forgotten (the audit
    trail keeps that it was cancelled)."""
    row = await find_session(session, session_id, "id")
    if row.status != Status.CANCELLED.value:
        raise sdk.ConflictError("cette journée n'est pas annulée", field="id")
    row.status, row.cancel_reason, row.cancel_note = Status.PLANNED.value, None, ""
    await session.flush()
    _audit(
        session,
        actor,
        "reinstate_session",
        "session",
        row.id,
        ["status", "cancel_reason", "cancel_note"],
    )
    return row
