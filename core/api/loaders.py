"""Per-request DataLoaders: a nested field loads only when it is selected, in batches.

A resolver of a nested field asks ``one(ctx, batch).load(key)`` (a record or None) or
``many(ctx, batch).load(key)`` (a list). The loader is made on first use and kept on
the request's context (``Context.loaders``, by the batch function),
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

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from core.api.context import Context
from core.errors import ValidationError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")

Batch = Callable[[AsyncSession, Sequence[K]], Awaitable[Mapping[K, V]]]


def _loader(ctx: Context, batch: Batch[Any, Any], missing: Callable[[], Any]) -> DataLoader:
    # Keyed by the batch function itself (module-level, so stable): a name built per
    # call cost a page's nested fields more than the lookup (decision 96).
    found = ctx.loaders.get(batch)
    if found is None:

        async def load(keys: list[Any]) -> list[Any]:
            async with ctx.db_session() as session:
                values = await batch(session, keys)
            return [values[k] if k in values else missing() for k in keys]

        found = ctx.loaders[batch] = DataLoader(load_fn=load)
    return found


def _none() -> None:
    return None


def one(ctx: Context, batch: Batch[K, V]) -> DataLoader[K, V | None]:
    """The request's loader of one record per key (None where ``batch`` found none)."""
    return _loader(ctx, batch, _none)


def many(ctx: Context, batch: Batch[K, list[V]]) -> DataLoader[K, list[V]]:
    """The request's loader of a list per key (empty where ``batch`` found none)."""
    return _loader(ctx, batch, list)


# A resolver may answer the loader's future itself (``def``, not ``async def``):
# graphql-core awaits any awaitable, and a page's nested fields then cost no coroutine
# and no task each (decision 96). ``then`` maps a future's value without either.


def then(future: asyncio.Future[Any], fn: Callable[[Any], R]) -> asyncio.Future[R]:
    """A future of ``fn(value)`` once ``future`` has its value (its error, or
    ``fn``'s, passes on): a done-callback, no coroutine. Answered at once when
    ``future`` already is (a prefetched loader: ``ready`` then gives the value)."""
    out: asyncio.Future[R] = asyncio.get_running_loop().create_future()
    if _has_value(future):
        try:
            out.set_result(fn(future.result()))
        except Exception as exc:  # the field's error, as if raised there
            out.set_exception(exc)
        return out

    def done(source: asyncio.Future[Any]) -> None:
        if out.cancelled():
            return
        if source.cancelled():
            out.cancel()
        elif (error := source.exception()) is not None:
            out.set_exception(error)
        else:
            try:
                out.set_result(fn(source.result()))
            except Exception as exc:  # the field's error, as if raised there
                out.set_exception(exc)

    future.add_done_callback(done)
    return out


def resolved(value: R) -> asyncio.Future[R]:
    """An already answered future (a helper that returns futures, e.g. for no key)."""
    out: asyncio.Future[R] = asyncio.get_running_loop().create_future()
    out.set_result(value)
    return out


def _has_value(future: Any) -> bool:
    return (
        isinstance(future, asyncio.Future)
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    )


def ready(value: Any) -> Any:
    """A loader's future's value when it has one already (``prefetch`` ran), else the
    future: graphql-core completes a plain value at once, while each awaitable costs it
    a coroutine, and a list of them a task each (decision 117)."""
    return value.result() if _has_value(value) else value


def node_fields(info: Any) -> dict[str, list[dict[str, Any]]]:
    """What a connection field's query selects on its nodes (``edges { node { … } }``,
    fragments included): field name -> the arguments of each occurrence."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def walk(selections: Iterable[Any], path: tuple[str, ...]) -> None:
        for selection in selections:
            name = getattr(selection, "name", None)
            arguments = getattr(selection, "arguments", None)
            if arguments is None:  # a fragment: its fields sit at the same level
                walk(selection.selections, path)
            elif path:
                if name == path[0]:
                    walk(selection.selections, path[1:])
            else:
                found[name].append(arguments)

    for field in info.selected_fields:
        walk(field.selections, ("edges", "node"))
    return found


async def prefetch(loads: Sequence[Awaitable[Any]]) -> None:
    """Run the loads a page's resolver knows its nodes' selected fields will ask, before
    the page is answered: each loader reads in its one batch as before, and the nodes'
    fields then find their values ready (``ready``) instead of a future each."""
    if loads:
        await asyncio.gather(*loads)


async def preload(
    ctx: Context, batch: Batch[K, Any], keys: Iterable[K | None], *, lists: bool = False
) -> None:
    """Read ``keys`` in ONE call of ``batch`` now and keep the answers in the request's
    loader (``one``, or ``many`` with ``lists``) as values: what a page's resolver does
    for the nested fields its query selects. The nodes' fields then find them ready
    (``ready``), and a hundred rows cost no future, no batch entry and no callback each,
    as ``load`` would (decision 195). Keys already loaded or None are left out; a key
    ``batch`` leaves out answers None (``one``) or an empty list (``many``), as ``load``."""
    missing: Callable[[], Any] = list if lists else _none
    loader = _loader(ctx, batch, missing)
    wanted = [k for k in dict.fromkeys(keys) if k is not None and loader.cache_map.get(k) is None]
    if not wanted:
        return
    async with ctx.db_session() as session:
        values = await batch(session, wanted)
    loader.prime_many({k: values[k] if k in values else missing() for k in wanted})


def prime(ctx: Context, batch: Batch[K, Any], values: Mapping[K, Any]) -> None:
    """Keep ``values`` in the request's loader of ``batch`` (``one``) as ``preload``
    keeps what it reads: records a page's own statement read for the keys ``batch``
    would be asked (``pagination.ToOne``). A key already loaded keeps its value."""
    if values:
        _loader(ctx, batch, _none).prime_many(dict(values))


def forget(ctx: Context) -> None:
    """Drop what this request loaded: a write may have changed it."""
    ctx.loaders.clear()


def grouped(rows: Iterable[R], key: Callable[[R], K]) -> dict[K, list[R]]:
    """Rows by parent key, in the order read (for ``many`` batches)."""
    found: dict[K, list[R]] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return found


# --- nested lists that grow: ``first`` / ``last`` -------------------------------------
#
# A nested list that grows (a follow-up's interventions, a family's children) takes
# ``first: Int`` or ``last: Int`` (decision 99): the first or last n in the list's own
# order, read in SQL (a window over each parent), for every parent of a page in one
# statement. Plain lists, not nested connections: a cursor per parent cannot be batched,
# and a client that pages through one parent's list reads the top-level connection.

MAX_NESTED = 100
FIRST = "Les n premiers seulement, dans l'ordre de la liste (au plus 100)."
LAST = "Les n derniers seulement, dans l'ordre de la liste (au plus 100)."


@dataclass(frozen=True)
class Bound:
    """How much of a nested list: all of it, its first n or its last n."""

    first: int | None = None
    last: int | None = None

    @classmethod
    def of(cls, first: int | None, last: int | None) -> Bound:
        if first is not None and last is not None:
            raise ValidationError("indiquez first ou last, pas les deux", field="last")
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_NESTED:
                raise ValidationError(
                    f"'{name}' doit être compris entre 0 et {MAX_NESTED}", field=name
                )
        return cls(first, last)


def bounded(statement: Any, parent: Any, order: Sequence[Any], bound: Bound) -> Any:
    """``statement`` (one row per list item, ordered by ``order`` within ``parent``)
    limited to each parent's first or last n: a ``row_number()`` window, so the rows a
    client did not ask for are never read. Rows come back in the list's order."""
    if bound.first is None and bound.last is None:
        return statement.order_by(parent, *order)
    backwards = bound.last is not None
    rank = (
        func.row_number()
        .over(partition_by=parent, order_by=[o.desc() if backwards else o for o in order])
        .label("position")
    )
    inner = statement.add_columns(rank).subquery()
    limit = bound.last if backwards else bound.first
    position = inner.c.position.desc() if backwards else inner.c.position
    return (
        select(*(c for c in inner.c if c.name != "position"))
        .where(inner.c.position <= limit)
        .order_by(inner.c[parent.key], position)
    )


def bounded_batch(
    batch: Callable[[AsyncSession, Sequence[K], Bound], Awaitable[Mapping[K, list[V]]]],
) -> Batch[tuple[K, Bound], list[V]]:
    """A ``many`` batch keyed by (parent, bound): one statement per distinct bound (in
    practice one per request), whatever the number of parents."""

    async def load(
        session: AsyncSession, keys: Sequence[tuple[K, Bound]]
    ) -> dict[tuple[K, Bound], list[V]]:
        by_bound: dict[Bound, list[K]] = defaultdict(list)
        for parent, bound in keys:
            by_bound[bound].append(parent)
        found: dict[tuple[K, Bound], list[V]] = {}
        for bound, parents in by_bound.items():
            for parent, items in (await batch(session, parents, bound)).items():
                found[(parent, bound)] = items
        return found

    load.__module__, load.__qualname__ = batch.__module__, batch.__qualname__
    return load
