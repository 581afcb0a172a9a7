"""Per-request DataLoaders: a nested field loads only when it is selected, in batches.

A resolver of a nested field asks ``one(ctx, batch).load(key)`` (a record or None) or
``many(ctx, batch).load(key)`` (a list). The loader is made on first use and kept on
the request's context (``Context.loaders``, by the batch function's qualified name),
so all the parents of a page that ask within one event-loop turn are served by ONE
call of ``batch`` — one statement for 10 rows or 100 — and a key asked twice is read
once. Nothing is read for a field the query does not select: its resolver never runs.

``batch(session, keys)`` receives the request's session (through ``ctx.db_session()``:
one user at a time, so a batch never runs beside another statement) and answers a
mapping; a key it leaves out is None (``one``) or an empty list (``many``). The pole's
wall holds as everywhere: the session filters every ORM statement by tenant.

A mutation forgets what was loaded (``forget``, called by ``user_errors``): its payload,
and a later mutation's in the same operation, then read what was written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from core.api.context import Context

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")

Batch = Callable[[AsyncSession, Sequence[K]], Awaitable[Mapping[K, V]]]


def _loader(ctx: Context, batch: Batch[Any, Any], missing: Callable[[], Any]) -> DataLoader:
    name = f"{batch.__module__}.{batch.__qualname__}"
    found = ctx.loaders.get(name)
    if found is None:

        async def load(keys: list[Any]) -> list[Any]:
            async with ctx.db_session() as session:
                values = await batch(session, keys)
            return [values[k] if k in values else missing() for k in keys]

        found = ctx.loaders[name] = DataLoader(load_fn=load)
    return found


def one(ctx: Context, batch: Batch[K, V]) -> DataLoader[K, V | None]:
    """The request's loader of one record per key (None where ``batch`` found none)."""
    return _loader(ctx, batch, lambda: None)


def many(ctx: Context, batch: Batch[K, list[V]]) -> DataLoader[K, list[V]]:
    """The request's loader of a list per key (empty where ``batch`` found none)."""
    return _loader(ctx, batch, list)


def forget(ctx: Context) -> None:
    """Drop what this request loaded: a write may have changed it."""
    ctx.loaders.clear()


def grouped(rows: Iterable[R], key: Callable[[R], K]) -> dict[K, list[R]]:
    """Rows by parent key, in the order read (for ``many`` batches)."""
    found: dict[K, list[R]] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return found
