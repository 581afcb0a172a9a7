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
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.audit.trail import record
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


async def due_tasks(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    *,
    on: dt.date,
    assignee: uuid.UUID | None = None,
    include_snoozed: bool = False,
) -> list[Task]:
    """The reminders due on ``on`` (and before), oldest first; done ones never come
    back, snoozed ones come back after their date."""
    caller.require("casework.read")
    answer_days = _setting(tenant, "request_unanswered_days")
    idle_days = _setting(tenant, "follow_up_idle_days")
    found: list[Task] = []

    requests = select(Request).where(
        Request.status.in_(["new", "qualified"]),
        Request.received_on <= on - dt.timedelta(days=answer_days),
    )
    if assignee is not None:
        requests = requests.where(Request.assigned_to == assignee)
    for r in (await session.execute(requests)).scalars():
        found.append(
            Task(
                "request_unanswered",
                r.id,
                r.received_on + dt.timedelta(days=answer_days),
                r.assigned_to,
                f"Demande du {r.received_on:%d/%m/%Y} ({r.requester_name}) sans réponse",
                None,
            )
        )

    last = (
        select(Intervention.follow_up_id, func.max(Intervention.happened_on).label("last"))
        .group_by(Intervention.follow_up_id)
        .subquery()
    )
    idle = (
        select(FollowUp, last.c.last, Child.first_name)
        .join(Child, Child.id == FollowUp.child_id)
        .outerjoin(last, last.c.follow_up_id == FollowUp.id)
        .where(FollowUp.status == "open")
        .where(func.coalesce(last.c.last, FollowUp.opened_on) <= on - dt.timedelta(days=idle_days))
    )
    if assignee is not None:
        idle = idle.where(FollowUp.referent_user_id == assignee)
    for follow_up, last_day, first_name in (await session.execute(idle)).all():
        since = last_day or follow_up.opened_on
        if isinstance(since, str):  # SQLite hands MAX() of a date back as text
            since = dt.date.fromisoformat(since)
        found.append(
            Task(
                "follow_up_idle",
                follow_up.id,
                since + dt.timedelta(days=idle_days),
                follow_up.referent_user_id,
                f"Suivi de {first_name} sans intervention depuis le {since:%d/%m/%Y}",
                None,
            )
        )

    found += await _plan_reviews(session, on, assignee)
    if not found:
        return []
    states = {
        (s.kind, s.object_id, s.due_on): s
        for s in (
            await session.execute(
                select(TaskState).where(TaskState.object_id.in_({t.object_id for t in found}))
            )
        ).scalars()
    }
    result = []
    for task in found:
        state = states.get((task.kind, task.object_id, task.due_on))
        if state is not None and state.done_at is not None:
            continue
        if state is not None and state.snoozed_until is not None:
            if state.snoozed_until > on and not include_snoozed:
                continue
            task = Task(**{**task.__dict__, "snoozed_until": state.snoozed_until})
        result.append(task)
    return sorted(result, key=lambda t: (t.due_on, t.kind, str(t.object_id)))


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
