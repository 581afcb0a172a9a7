"""The pole's staff as named on files and sessions: a user id and a display name, the
names read in one statement for a whole page (``staff_names``), or per request in a
batch when a nested field asks for them (``staff_of``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterable
from typing import Any

import strawberry
from sqlalchemy import select

from core.api.context import Context
from core.api.loaders import one, resolved, then
from core.auth.models import User
from core.tenancy.driver_reads import select_rows


@strawberry.type(description="Un membre de l'équipe du pôle.")
class StaffMember:
    user_id: strawberry.ID
    display_name: str


def staff_member(user_id: uuid.UUID | None, names: dict[uuid.UUID, str]) -> StaffMember | None:
    if user_id is None:
        return None
    return StaffMember(user_id=strawberry.ID(str(user_id)), display_name=names.get(user_id, "?"))


async def staff_names(session: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await select_rows(session, select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def staff_of(ctx: Context, user_id: uuid.UUID | None) -> Awaitable[StaffMember | None]:
    """The staff member named on a record, the names of a page read in one batch; no
    statement when nobody is named. A future, not a coroutine (decision 96)."""
    if user_id is None:
        return resolved(None)
    return then(
        one(ctx, staff_names).load(user_id),
        lambda name: staff_member(user_id, {user_id: name} if name is not None else {}),
    )
