"""Cursor connections: ``first`` at most 100, opaque cursors, total counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from strawberry import relay

from core.errors import ValidationError
from core.tenancy.driver_reads import select_rows

MAX_FIRST = 100
DEFAULT_FIRST = 20
_PREFIX = "offset"

C = TypeVar("C")
K = TypeVar("K")
R = TypeVar("R")
N = TypeVar("N")


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int


def window(first: int | None, after: str | None) -> Window:
    """Validate ``first`` / ``after`` and turn them into LIMIT / OFFSET."""
    limit = DEFAULT_FIRST if first is None else first
    if not 0 <= limit <= MAX_FIRST:
        raise ValidationError(f"'first' doit être compris entre 0 et {MAX_FIRST}", field="first")
    offset = 0
    if after:
        try:
            kind, value = relay.from_base64(after)
            offset = int(value) + 1
        except Exception:
            raise ValidationError("curseur invalide", field="after") from None
        if kind != _PREFIX or offset < 1:
            raise ValidationError("curseur invalide", field="after")
    return Window(limit, offset)


def cursor(position: int) -> str:
    return relay.to_base64(_PREFIX, position)


def connection(cls: type[C], nodes: Sequence[Any], win: Window, total: int, **extra: Any) -> C:
    edges = [relay.Edge(node=node, cursor=cursor(win.offset + i)) for i, node in enumerate(nodes)]
    page_info = relay.PageInfo(
        has_next_page=win.offset + len(nodes) < total,
        has_previous_page=win.offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return cls(edges=edges, page_info=page_info, total_count=total, **extra)  # type: ignore[call-arg]


def in_order(
    ids: Sequence[K], rows: Iterable[R], key: Callable[[R], K], convert: Callable[[R], N]
) -> list[N | None]:
    """Nodes in the order of ``ids``; None where a row is missing (or not the pole's)."""
    found = {key(row): row for row in rows}
    return [convert(found[i]) if i in found else None for i in ids]


async def page_of(
    session: Any, statement: Any, first: int | None, after: str | None
) -> tuple[Window, int, Any]:
    """The window asked for, the total count (one statement) and ``statement`` limited to
    the window — for lists whose page is then loaded in batches (nodes with children)."""
    win = window(first, after)
    return win, await _count(session, statement), statement.limit(win.limit).offset(win.offset)


# The total rides along the page's rows under this label (``counted_page``).
_TOTAL = "total_count_"


async def counted_page(
    session: Any, statement: Any, first: int | None, after: str | None, *columns: Any
) -> tuple[Window, int, Sequence[Any]]:
    """The window asked for, the total count and the page's rows of ``columns``, in ONE
    statement: the total is ``count(*) over ()``, which the database computes over every
    row the filters keep before LIMIT cuts the page, so each row carries it. A page with
    no row cannot carry it: an empty first page means 0, a page past the end asks the
    count in a second statement (a client paging beyond the last page). Statements with
    DISTINCT or GROUP BY count after the window, so they keep the two statements of
    ``page_of`` (docs/decisions.md, 116)."""
    if statement._distinct or statement._group_by_clauses:
        win, total, page = await page_of(session, statement, first, after)
        return win, total, (await session.execute(page.with_only_columns(*columns))).all()
    win = window(first, after)
    if win.limit == 0:
        return win, await _count(session, statement), []
    page = (
        statement.with_only_columns(*columns, func.count().over().label(_TOTAL))
        .limit(win.limit)
        .offset(win.offset)
    )
    rows = await select_rows(session, page)
    if rows:
        return win, int(getattr(rows[0], _TOTAL)), rows
    return win, (await _count(session, statement) if win.offset else 0), rows


async def _count(session: Any, statement: Any) -> int:
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    return int(total or 0)


async def paginate(
    session: Any,
    statement: Any,
    *,
    first: int | None,
    after: str | None,
    convert: Callable[[Any], Any],
    connection_cls: type[C],
) -> C:
    """Run an ORM ``select`` of one entity as a page: a count, then the window.

    Two statements whatever the page size; give ``statement`` a total ``order_by``
    (ending with the id) so that pages are stable.
    """
    win, total, page = await page_of(session, statement, first, after)
    rows = (await session.execute(page)).scalars().all()
    return connection(connection_cls, [convert(row) for row in rows], win, total)


UPDATED_SINCE = (
    "Seulement les enregistrements modifiés depuis cet instant (eux-mêmes ou ce qu'ils "
    "contiennent) ; avec deletions(since:), de quoi tenir une copie à jour."
)


def changed_since(statement: Any, model: Any, since: Any) -> Any:
    """``updatedSince`` on a list: rows whose ``updated_at`` is at or after ``since``."""
    return statement if since is None else statement.where(model.updated_at >= since)
