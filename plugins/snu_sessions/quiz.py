"""The before/after quiz: scheduling it (staff), and answering it (anyone in the room,
no account).

Anti-stuffing (decision 144), all enforced by the database so that concurrent posts
can neither slip past nor be lost:

- **the window**: a phase takes answers only between its opening and closing times;
- **one answer per pairing code and phase**: a unique constraint on (session, phase,
  code); a second answer with a code already used for that phase is refused;
- **a cap per window**: a conditional ``UPDATE … SET accepted = accepted + 1 WHERE
  accepted < cap`` takes a place before the answer is written, in the same
  transaction; PostgreSQL's row lock serialises concurrent posts on that one row, so
  exactly ``cap`` answers are ever stored;
- **refusals are counted** (closed, full, duplicate) on the window, in a transaction
  of their own, so the pole sees how many were turned away; what was refused is not
  stored.

Nothing identifies a person: the pairing code is drawn by the server at random and
shown once to the young person who asked for it; no address, device or time is kept.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.snu_sessions.models import QuizAnswer, QuizItem, QuizResponse, QuizWindow, Session
from plugins.snu_sessions.service import _audit, find_session, refuse_cancelled
from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, SCALE, ItemKind, Phase, Status

# No 0/O, 1/I/L: codes are read off a screen and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 6
PAIRING_CODE_LENGTH = 6
MAX_CAP = 2000
MAX_WINDOW = dt.timedelta(days=14)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normal_code(value: str) -> str:
    """A code as typed: case, spaces and dashes do not matter."""
    return "".join(c for c in value.upper() if c.isalnum())


# --- scheduling (staff) ----------------------------------------------------------------


@dataclass(frozen=True)
class WindowInput:
    opens_at: dt.datetime
    closes_at: dt.datetime


def _window(value: WindowInput, field: str) -> tuple[dt.datetime, dt.datetime]:
    if value.opens_at.tzinfo is None or value.closes_at.tzinfo is None:
        raise sdk.ValidationError("donnez l'heure avec son fuseau (ISO 8601)", field=field)
    opens, closes = as_utc(value.opens_at), as_utc(value.closes_at)
    if closes <= opens:
        raise sdk.ValidationError("la fermeture doit suivre l'ouverture", field=f"{field}.closesAt")
    if closes - opens > MAX_WINDOW:
        raise sdk.ValidationError(
            "une fenêtre dure au plus deux semaines", field=f"{field}.closesAt"
        )
    return opens, closes


async def schedule(
    session: AsyncSession,
    session_id: uuid.UUID,
    *,
    before: WindowInput,
    after: WindowInput,
    cap: int,
    actor: str,
) -> Session:
    """Open (or move) the quiz's two windows; the first time, copy the default quiz's
    items and draw the short link's code."""
    row = await find_session(session, session_id, "input.sessionId")
    refuse_cancelled(row, "input.sessionId")
    b_opens, b_closes = _window(before, "input.before")
    a_opens, a_closes = _window(after, "input.after")
    if a_opens < b_closes:
        raise sdk.ValidationError(
            "le questionnaire « après » ouvre une fois le « avant » fermé",
            field="input.after.opensAt",
        )
    if not 1 <= cap <= MAX_CAP:
        raise sdk.ValidationError(f"plafond entre 1 et {MAX_CAP} réponses", field="input.cap")
    windows = {
        w.phase: w
        for w in (
            await session.execute(select(QuizWindow).where(QuizWindow.session_id == row.id))
        ).scalars()
    }
    for phase, (opens, closes) in (
        (Phase.BEFORE, (b_opens, b_closes)),
        (Phase.AFTER, (a_opens, a_closes)),
    ):
        window = windows.get(phase.value)
        if window is None:
            session.add(
                QuizWindow(
                    session_id=row.id, phase=phase.value, opens_at=opens, closes_at=closes, cap=cap
                )
            )
            continue
        if cap < window.accepted:
            raise sdk.ValidationError(
                f"{window.accepted} réponses « {phase.label.lower()} » sont déjà là : "
                "le plafond ne peut être plus bas",
                field="input.cap",
            )
        window.opens_at, window.closes_at, window.cap = opens, closes, cap
    has_items = await session.scalar(
        select(QuizItem.id).where(QuizItem.session_id == row.id).limit(1)
    )
    if has_items is None:
        session.add_all(
            QuizItem(
                session_id=row.id,
                position=position,
                key=item.key,
                kind=item.kind.value,
                text=item.text,
                choices=list(item.choices),
                right_choice=item.right,
                reverse=item.reverse,
            )
            for position, item in enumerate(DEFAULT_QUIZ)
        )
    if row.link_code is None:
        while True:
            code = new_code(LINK_CODE_LENGTH)
            if not await session.scalar(select(Session.id).where(Session.link_code == code)):
                break
        row.link_code = code
    await session.flush()
    _audit(session, actor, "schedule_quiz", "session", row.id, ["windows", "cap", "link_code"])
    return row


# --- answering (anyone with the link) --------------------------------------------------


@dataclass(frozen=True)
class OpenQuiz:
    """What the link shows: the session, the phase open now (or None), its items."""

    session_id: uuid.UUID
    centre: str
    phase: Phase | None
    windows: Sequence[QuizWindow]
    items: Sequence[QuizItem]
    cancelled: bool = False


class QuizRefused(sdk.ConflictError):
    """An answer turned away by a rule of the quiz; ``reason`` is counted."""

    def __init__(self, message: str, *, reason: str, field: str) -> None:
        super().__init__(message, field=field)
        self.reason = reason


async def open_quiz(session: AsyncSession, code: str, now: dt.datetime) -> OpenQuiz | None:
    """The quiz behind a link code in this pole, or None (unknown code)."""
    code = normal_code(code)
    if len(code) != LINK_CODE_LENGTH:
        return None
    row = await session.scalar(select(Session).where(Session.link_code == code))
    if row is None:
        return None
    windows = list(
        (
            await session.execute(
                select(QuizWindow)
                .where(QuizWindow.session_id == row.id)
                .order_by(QuizWindow.opens_at)
            )
        ).scalars()
    )
    if row.status == Status.CANCELLED.value:
        # A cancelled day takes no answer: its windows are shut, whatever their times.
        return OpenQuiz(row.id, row.centre, None, [], [], cancelled=True)
    phase = next(
        (Phase(w.phase) for w in windows if as_utc(w.opens_at) <= now < as_utc(w.closes_at)),
        None,
    )
    items = list(
        (
            await session.execute(
                select(QuizItem).where(QuizItem.session_id == row.id).order_by(QuizItem.position)
            )
        ).scalars()
    )
    return OpenQuiz(row.id, row.centre, phase, windows, items)


def item_field(item: QuizItem) -> str:
    return f"item.{item.key}"


def parse_answers(items: Sequence[QuizItem], given: Mapping[str, str]) -> dict[uuid.UUID, int]:
    """Every item answered with a value it accepts, or VALIDATION naming the first item
    at fault (``item.<key>``)."""
    values: dict[uuid.UUID, int] = {}
    for item in items:
        raw = (given.get(item.key) or "").strip()
        if not raw:
            raise sdk.ValidationError("réponds à cette question", field=item_field(item))
        try:
            value = int(raw)
        except ValueError:
            raise sdk.ValidationError("réponse inconnue", field=item_field(item)) from None
        allowed = range(len(item.choices)) if item.kind == ItemKind.KNOWLEDGE.value else SCALE
        if value not in allowed:
            raise sdk.ValidationError("réponse inconnue", field=item_field(item))
        values[item.id] = value
    return values


async def _take_place(session: AsyncSession, window: QuizWindow) -> bool:
    taken = await session.execute(
        update(QuizWindow)
        .where(QuizWindow.id == window.id, QuizWindow.accepted < QuizWindow.cap)
        .values(accepted=QuizWindow.accepted + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)


async def count_refusal(
    pole: sdk.PublicPole, session_id: uuid.UUID, phase: str, reason: str
) -> None:
    """One more refusal of ``reason`` on the window, in a transaction of its own."""
    column = {
        "closed": QuizWindow.refused_closed,
        "full": QuizWindow.refused_full,
        "duplicate": QuizWindow.refused_duplicate,
    }[reason]
    async with pole.session() as session:
        await session.execute(
            update(QuizWindow)
            .where(QuizWindow.session_id == session_id, QuizWindow.phase == phase)
            .values({column.key: column + 1})
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def answer(
    pole: sdk.PublicPole,
    code: str,
    *,
    phase: str,
    given: Mapping[str, str],
    pairing_code: str = "",
    want_code: bool = False,
    now: dt.datetime | None = None,
) -> str | None:
    """Store one phone's answers; returns the pairing code to keep (before phase, when
    asked for), else None. Raises VALIDATION for the young person to fix (nothing
    counted), ``QuizRefused`` for a refusal by the rules (counted), NOT_FOUND for an
    unknown link."""
    now = now or utcnow()
    try:
        asked = Phase(phase)
    except ValueError:
        raise sdk.ValidationError("phase inconnue", field="phase") from None
    refusal: QuizRefused | None = None
    session_id: uuid.UUID | None = None
    async with pole.session() as session:
        quiz = await open_quiz(session, code, now)
        if quiz is None:
            raise sdk.NotFoundError("ce questionnaire est introuvable", field="code")
        session_id = quiz.session_id
        window = next((w for w in quiz.windows if w.phase == asked.value), None)
        try:
            if window is None or not (as_utc(window.opens_at) <= now < as_utc(window.closes_at)):
                raise QuizRefused(
                    "ce questionnaire n'est pas ouvert en ce moment", reason="closed", field="phase"
                )
            values = parse_answers(quiz.items, given)
            kept = await _pairing(session, quiz.session_id, asked, pairing_code, want_code)
            if not await _take_place(session, window):
                raise QuizRefused(
                    "ce questionnaire a reçu toutes les réponses prévues pour la salle",
                    reason="full",
                    field="phase",
                )
            response = QuizResponse(
                session_id=quiz.session_id, phase=asked.value, pairing_code=kept
            )
            session.add(response)
            await session.flush()
            session.add_all(
                QuizAnswer(response_id=response.id, item_id=item_id, value=value)
                for item_id, value in values.items()
            )
            await session.flush()
            await session.commit()
            return kept if asked is Phase.BEFORE else None
        except QuizRefused as exc:
            await session.rollback()
            refusal = exc
        except IntegrityError:
            # Two posts raced with one pairing code: the unique constraint kept one.
            await session.rollback()
            refusal = QuizRefused(_DUPLICATE, reason="duplicate", field="pairingCode")
    assert refusal is not None and session_id is not None
    await count_refusal(pole, session_id, asked.value, refusal.reason)
    raise refusal


_DUPLICATE = "une réponse a déjà été envoyée avec ce code pour ce questionnaire"


async def _pairing(
    session: AsyncSession, session_id: uuid.UUID, phase: Phase, typed: str, want_code: bool
) -> str | None:
    if phase is Phase.BEFORE:
        if not want_code:
            return None
        while True:
            code = new_code(PAIRING_CODE_LENGTH)
            taken = await session.scalar(
                select(QuizResponse.id).where(
                    QuizResponse.session_id == session_id,
                    QuizResponse.phase == phase.value,
                    QuizResponse.pairing_code == code,
                )
            )
            if taken is None:
                return code
    code = normal_code(typed)
    if not code:
        return None
    known = await session.scalar(
        select(func.count()).where(
            QuizResponse.session_id == session_id,
            QuizResponse.phase == Phase.BEFORE.value,
            QuizResponse.pairing_code == code,
        )
    )
    if not known:
        raise sdk.ValidationError(
            "ce code ne correspond à aucune réponse d'avant la journée : vérifie-le, ou "
            "laisse le champ vide",
            field="pairingCode",
        )
    used = await session.scalar(
        select(QuizResponse.id).where(
            QuizResponse.session_id == session_id,
            QuizResponse.phase == phase.value,
            QuizResponse.pairing_code == code,
        )
    )
    if used is not None:
        raise QuizRefused(_DUPLICATE, reason="duplicate", field="pairingCode")
    return code
