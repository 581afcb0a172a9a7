"""Per-request batches for nested fields: a page of 100 sitters reads its documents,
vetting steps and availability in one statement each, and only when selected.

The loaders live on the request's context (``ctx.loaders``, keyed by the batch
function), as core's own do; a mutation's ``sdk.user_errors`` forgets them, so a
payload reads what was just written."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from core import sdk

Batch = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, list[Any]]]]


def many(ctx: sdk.Context, batch: Batch) -> DataLoader[uuid.UUID, list[Any]]:
    found = ctx.loaders.get(batch)
    if found is None:

        async def load(keys: list[uuid.UUID]) -> list[list[Any]]:
            async with ctx.db_session() as session:
                values = await batch(session, keys)
            return [list(values.get(k, [])) for k in keys]

        found = ctx.loaders[batch] = DataLoader(load_fn=load)
    return found
