"""The one lookup every domain service starts with."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFoundError


async def get_or_not_found(
    session: AsyncSession, model: type[Any], id: uuid.UUID, field: str
) -> Any:
    """The pole's row of ``model`` (the tenant filter applies), or NOT_FOUND naming
    ``field`` — the same answer for a missing row and another pole's."""
    row = (await session.execute(select(model).where(model.id == id))).scalar()
    if row is None:
        raise NotFoundError("introuvable dans ce pôle", field=field)
    return row
