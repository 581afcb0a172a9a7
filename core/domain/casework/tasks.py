"""Reminders derived from the data, per pole and per staff member.

* ``request_unanswered``: a request still new or qualified N days after it arrived
  (N = the pole's ``request_unanswered_days``), for the person it is assigned to;
* ``follow_up_idle``: an open follow-up with no intervention for N days
  (``follow_up_idle_days``), for its referent;
* ``plan_review``: a review date of a reception plan's current version, for the
  referent of the child's open follow-up (or the pole, when none is open).

Nothing is stored until someone acts: marking a reminder done or snoozing it writes a
``task_states`` row for that occurrence (kind, object, due date). A later lapse (a new
intervention, then silence again) is a new occurrence with a new due date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.audit.trail import record
from core.db.sql import plus_days
from core.domain.casework.models import FollowUp, Intervention, Request, TaskState
from core.domain.families.models import Child
from core.domain.plans.models import ReceptionPlan, ReceptionPlanVersion
from core.domain.structures.models import Structure
from core.errors import ConflictError, NotFoundError, ValidationError
from core.tenancy.config import default_settings
from core.tenancy.models import Tenant

TASK_KINDS = MappingProxyType(
    {
        "request_unanswered": "Demande sans réponse",
        "follow_up_idle": "Suivi sans intervention récente",
        "plan_review": "Bilan du projet d'accueil",
    }
)


@dataclass(frozen=True)
class Task:
    kind: str
    object_id: uuid.UUID
    due_on: dt.date
    assignee: uuid.UUID | None
    title: str
    snoozed_until: dt.date | None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}:{self.due_on.isoformat()}"


def parse_key(key: str) -> tuple[str, uuid.UUID, dt.date]:
    try:
        kind, object_id, due = key.split(":")
        parsed = (kind, uuid.UUID(object_id), dt.date.fromisoformat(due))
    except ValueError:
        raise ValidationError("clé de rappel invalide", field="key") from None
    if kind not in TASK_KINDS:
        raise ValidationError("clé de rappel invalide", field="key")
    return parsed


def _setting(tenant: Tenant, name: str) -> int:
    settings = {**default_settings(), **(tenant.settings or {})}
    return int(settings[name])


@dataclass(frozen=True)
class TaskPage:
    """Some of the reminders due (a window of them, oldest first) and how many are due
    in all: what a screen shows (« 10 of 940 »)."""

    total: int
    tasks: list[Task]


async def due_task_page(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    *,
    on: dt.date,
    assignee: uuid.UUID | None = None,
    include_snoozed: bool = False,
    kinds: Sequence[str] = (),
    limit: int | None = None,
    offset: int = 0,
) -> TaskPage:
    """The reminders due on ``on`` (and before) of ``kinds`` (all by default), oldest
    first, ``limit`` of them from ``offset`` (all: None), with the total. Done ones never
    come back, snoozed ones come back after their date.

    Each kind is one statement that filters out done (and snoozed) occurrences in the
    database and counts its rows with ``count(*) over ()``; it reads at most
    ``offset + limit`` rows (plain columns, no ORM objects): the window of the merged,
    ordered kinds lies within the first ``offset + limit`` of each. So the cost of a
    home page's ten reminders no longer grows with a pole's whole backlog, and the
    statements stay one per kind (three at most, four with plan reviews' states)."""
    caller.require("casework.read")
    for index, kind in enumerate(kinds):
        if kind not in TASK_KINDS:
            raise ValidationError(f"type de rappel inconnu : {kind}", field=f"kinds.{index}")
    wanted = set(kinds or TASK_KINDS)
    scope = _Scope(tenant, on, assignee, include_snoozed, None if limit is None else offset + limit)
    total, found = 0, []
    if "request_unanswered" in wanted:
        count, rows = await _unanswered(session, scope)
        total, found = total + count, found + rows
    if "follow_up_idle" in wanted:
        count, rows = await _idle(session, scope)
        total, found = total + count, found + rows
    if "plan_review" in wanted:
        reviews = await scope.keep(session, await _plan_reviews(session, on, assignee))
        total, found = total + len(reviews), found + reviews
    found.sort(key=lambda t: (t.due_on, t.kind, str(t.object_id)))
    return TaskPage(total, found[offset : scope.reach])


@dataclass(frozen=True)
class _Scope:
    """What a list of reminders is asked for: the pole, the day, whose, and how many
    rows of each kind to read at most (``reach``; None: all). Done occurrences are left
    out, snoozed ones until their date (unless ``include_snoozed``)."""

    tenant: Tenant
    on: dt.date
    assignee: uuid.UUID | None
    include_snoozed: bool
    reach: int | None

    def joined(self, statement: Any, kind: str, object_id: Any, due_on: Any) -> Any:
        """``statement`` with its occurrence's state joined, and filtered by it."""
        statement = statement.outerjoin(
            TaskState,
            (TaskState.kind == kind)
            & (TaskState.object_id == object_id)
            & (TaskState.due_on == due_on),
        ).where(TaskState.done_at.is_(None))
        if not self.include_snoozed:
            statement = statement.where(
                TaskState.snoozed_until.is_(None) | (TaskState.snoozed_until <= self.on)
            )
        return statement

    async def keep(self, session: AsyncSession, found: list[Task]) -> list[Task]:
        """The same filter for reminders computed outside the database (plan reviews)."""
        if not found:
            return []
        rows = await session.execute(
            select(TaskState).where(TaskState.object_id.in_({t.object_id for t in found}))
        )
        by_key = {(s.kind, s.object_id, s.due_on): s for s in rows.scalars()}
        kept = []
        for task in found:
            state = by_key.get((task.kind, task.object_id, task.due_on))
            if state is not None and state.done_at is not None:
                continue
            if state is not None and state.snoozed_until is not None:
                if state.snoozed_until > self.on and not self.include_snoozed:
                    continue
                task = Task(**{**task.__dict__, "snoozed_until": state.snoozed_until})
            kept.append(task)
        return kept


def _day(value: Any) -> dt.date:
    # SQLite hands a computed date (MAX(), date()) back as ISO text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[no-any-return]


async def _counted(
    session: AsyncSession, statement: Any, scope: _Scope
) -> tuple[int, Sequence[Any]]:
    total = func.count().over().label("total_")
    rows = (await session.execute(statement.add_columns(total).limit(scope.reach))).all()
    return (int(rows[0].total_) if rows else 0), rows


async def _unanswered(session: AsyncSession, scope: _Scope) -> tuple[int, list[Task]]:
    days = _setting(scope.tenant, "request_unanswered_days")
    due = plus_days(Request.received_on, days)
    statement = select(
        Request.id,
        Request.received_on,
        Request.requester_name,
        Request.assigned_to,
        TaskState.snoozed_until,
    ).where(
        Request.status.in_(["new", "qualified"]),
        Request.received_on <= scope.on - dt.timedelta(days=days),
    )
    if scope.assignee is not None:
        statement = statement.where(Request.assigned_to == scope.assignee)
    statement = scope.joined(statement, "request_unanswered", Request.id, due)
    total, rows = await _counted(
        session, statement.order_by(Request.received_on, Request.id), scope
    )
    return total, [
        Task(
            "request_unanswered",
            row.id,
            row.received_on + dt.timedelta(days=days),
            row.assigned_to,
            f"Demande du {row.received_on:%d/%m/%Y} ({row.requester_name}) sans réponse",
            row.snoozed_until,
        )
        for row in rows
    ]


async def _idle(session: AsyncSession, scope: _Scope) -> tuple[int, list[Task]]:
    days = _setting(scope.tenant, "follow_up_idle_days")
    last = (
        select(Intervention.follow_up_id, func.max(Intervention.happened_on).label("last"))
        .group_by(Intervention.follow_up_id)
        .subquery()
    )
    since = func.coalesce(last.c.last, FollowUp.opened_on)
    statement = (
        select(
            FollowUp.id,
            FollowUp.referent_user_id,
            since.label("since"),
            Child.first_name,
            TaskState.snoozed_until,
        )
        .join(Child, Child.id == FollowUp.child_id)
        .outerjoin(last, last.c.follow_up_id == FollowUp.id)
        .where(FollowUp.status == "open")
        .where(since <= scope.on - dt.timedelta(days=days))
    )
    if scope.assignee is not None:
        statement = statement.where(FollowUp.referent_user_id == scope.assignee)
    statement = scope.joined(statement, "follow_up_idle", FollowUp.id, plus_days(since, days))
    total, rows = await _counted(session, statement.order_by(since, FollowUp.id), scope)
    found = []
    for row in rows:
        day = _day(row.since)
        found.append(
            Task(
                "follow_up_idle",
                row.id,
                day + dt.timedelta(days=days),
                row.referent_user_id,
                f"Suivi de {row.first_name} sans intervention depuis le {day:%d/%m/%Y}",
                row.snoozed_until,
            )
        )
    return total, found


async def _plan_reviews(
    session: AsyncSession, on: dt.date, assignee: uuid.UUID | None
) -> list[Task]:
    """Review dates of the plans' current versions, due on ``on`` or before. Dates are
    kept as ISO text in a JSON list (portable between SQLite and PostgreSQL), so they
    are compared here, for the current versions only: one statement."""
    referents = (
        select(FollowUp.child_id, FollowUp.referent_user_id)
        .where(FollowUp.status == "open")
        .subquery()
    )
    rows = await session.execute(
        select(
            ReceptionPlan.id,
            ReceptionPlanVersion.review_dates,
            Child.first_name,
            Structure.name,
            referents.c.referent_user_id,
        )
        .join(
            ReceptionPlanVersion,
            (ReceptionPlanVersion.plan_id == ReceptionPlan.id)
            & (ReceptionPlanVersion.version == ReceptionPlan.current_version),
        )
        .join(Child, Child.id == ReceptionPlan.child_id)
        .join(Structure, Structure.id == ReceptionPlan.structure_id)
        .outerjoin(referents, referents.c.child_id == ReceptionPlan.child_id)
    )
    found = []
    for plan_id, review_dates, first_name, structure, referent in rows:
        if assignee is not None and referent != assignee:
            continue
        for raw in review_dates:
            due = dt.date.fromisoformat(raw)
            if due <= on:
                found.append(
                    Task(
                        "plan_review",
                        plan_id,
                        due,
                        referent,
                        f"Bilan du projet d'accueil de {first_name} ({structure}) "
                        f"prévu le {due:%d/%m/%Y}",
                        None,
                    )
                )
    return found


MODELS: Any = {
    "request_unanswered": Request,
    "follow_up_idle": FollowUp,
    "plan_review": ReceptionPlan,
}


async def _state(
    session: AsyncSession, key: str
) -> tuple[TaskState | None, str, uuid.UUID, dt.date]:
    kind, object_id, due_on = parse_key(key)
    model: Any = MODELS[kind]
    if (await session.execute(select(model.id).where(model.id == object_id))).first() is None:
        raise NotFoundError("rappel introuvable dans ce pôle", field="key")
    state = (
        await session.execute(
            select(TaskState).where(
                TaskState.kind == kind, TaskState.object_id == object_id, TaskState.due_on == due_on
            )
        )
    ).scalar()
    return state, kind, object_id, due_on


async def complete(session: AsyncSession, caller: Caller, key: str) -> TaskState:
    actor = caller.require("casework.manage")
    state, kind, object_id, due_on = await _state(session, key)
    if state is not None and state.done_at is not None:
        raise ConflictError("ce rappel est déjà traité", field="key")
    if state is None:
        state = TaskState(kind=kind, object_id=object_id, due_on=due_on, by=actor.subject)
        session.add(state)
    state.done_at, state.by = dt.datetime.now(dt.UTC), actor.subject
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="tasks.complete",
        object_type="Task",
        object_id=key[:80],
        fields=["doneAt"],
    )
    return state


async def snooze(
    session: AsyncSession, caller: Caller, key: str, *, until: dt.date, today: dt.date
) -> TaskState:
    actor = caller.require("casework.manage")
    if until <= today:
        raise ValidationError("reporter à une date future", field="until")
    if until > today + dt.timedelta(days=180):
        raise ValidationError("six mois au plus", field="until")
    state, kind, object_id, due_on = await _state(session, key)
    if state is not None and state.done_at is not None:
        raise ConflictError("ce rappel est déjà traité", field="key")
    if state is None:
        state = TaskState(kind=kind, object_id=object_id, due_on=due_on, by=actor.subject)
        session.add(state)
    state.snoozed_until, state.by = until, actor.subject
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="tasks.snooze",
        object_type="Task",
        object_id=key[:80],
        fields=["snoozedUntil"],
    )
    return state
