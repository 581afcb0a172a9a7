"""The pole's staff as named on files and sessions: a user id and a display name, the
names read in one statement for a whole page."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import strawberry
from sqlalchemy import select

from core.auth.models import User


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
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}
