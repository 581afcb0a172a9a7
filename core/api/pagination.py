"""Cursor connections: ``first`` at most 100, opaque cursors, total counts."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnClause, func, null, select
from sqlalchemy.sql import visitors
from sqlalchemy.sql.util import ClauseAdapter
from strawberry import relay

from core.errors import ValidationError
from core.tenancy.driver_reads import row_class, select_rows

MAX_FIRST = 100
DEFAULT_FIRST = 20
_PREFIX = "offset"

C = TypeVar("C")
K = TypeVar("K")
R = TypeVar("R")
N = TypeVar("N")
S = TypeVar("S")


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
    statement: the total is a scalar subquery counting every row the filters keep, which
    the database computes once, so each row carries it (``count(*) over ()`` made it read
    and sort every such row before LIMIT: 0.5 of the dashboard's 1.1 ms in PostgreSQL,
    0.2 this way; decision 219). A page with
    no row cannot carry it: an empty first page means 0, a page past the end asks the
    count in a second statement (a client paging beyond the last page). Statements with
    DISTINCT or GROUP BY count after the window, so they keep the two statements of
    ``page_of`` (docs/decisions.md, 116)."""
    win, total, rows, _ = await joined_page(session, statement, first, after, columns)
    return win, total, rows


@dataclass(frozen=True, eq=False)
class ToOne:
    """A record each row of a page names (a follow-up's child, its referent), read in the
    page's own statement by an outer join when the query selects it, instead of by its
    loader's batch afterwards: one statement fewer per such field (decision 217).

    ``columns`` are the record's columns as its batch reads them and ``convert`` makes
    the value its batch would answer from a row of them; ``key`` is the page's column
    that names the record and ``target`` the record's column it equals (its id). The
    join is a to-one on the target's primary key, so it never adds a row to the page nor
    changes its count; the tenant's criteria reach the joined table as they reach every
    other (the guard, or the driver's compiled criteria), and row-level security stands
    behind. Labels are ``<name>__<column key>``: never a column of the page's own."""

    name: str
    key: Any
    target: Any
    columns: tuple[Any, ...]
    convert: Callable[[Any], Any]

    def labelled(self) -> list[Any]:
        return [column.label(f"{self.name}__{column.key}") for column in self.columns]

    def view(self) -> type:
        return row_class(tuple(column.key for column in self.columns))


async def joined_page(
    session: Any,
    statement: Any,
    first: int | None,
    after: str | None,
    columns: Sequence[Any],
    to_one: Sequence[ToOne] = (),
    *,
    counted: bool = True,
) -> tuple[Window, int, Sequence[Any], list[dict[Any, Any]]]:
    """``counted_page`` and, for each of ``to_one``, the records the page's rows name,
    read in the same statement: ``{key: convert(record's columns)}`` per ``ToOne`` (a key
    whose record the join did not find is left out, for its loader to read as before).
    A statement with DISTINCT or GROUP BY joins nothing (its count is separate): every
    mapping is then empty.

    ``counted=False`` (the query selects neither ``totalCount`` nor ``pageInfo {
    hasNextPage }``: ``asks_total``): the database counts nothing, and the total
    answered is only the rows up to this page's last (decision 219)."""
    if statement._distinct or statement._group_by_clauses:
        win, total, page = await page_of(session, statement, first, after)
        rows = (await session.execute(page.with_only_columns(*columns))).all()
        return win, total, rows, [{} for _ in to_one]
    win = window(first, after)
    if win.limit == 0:
        total = await _count(session, statement) if counted else win.offset
        return win, total, [], [{} for _ in to_one]
    asked = len(to_one)
    derived = _DERIVED.get(statement)
    if derived is None:
        derived = _DERIVED[statement] = {}
    shape = (win.limit, win.offset, tuple(columns), tuple(to_one), counted)
    built = derived.get(shape)
    if built is None:
        if len(derived) >= _DERIVED_LIMIT:  # a client paging far: offsets without end
            derived.clear()
        # Not counted: a NULL in the total's place, so that the rows keep their layout.
        total_column = _total_of(statement) if counted else null().label(_TOTAL)
        page = (
            statement.with_only_columns(*columns, total_column).limit(win.limit).offset(win.offset)
        )
        joined = _joined(page, statement, to_one) if to_one else None
        # None joined: the order is not on the page's columns, the loaders read them.
        built = derived[shape] = (page, ()) if joined is None else (joined, tuple(to_one))
    read, to_one = built
    rows = await select_rows(session, read)
    if not counted:
        total = win.offset + len(rows)
    elif rows:
        total = int(getattr(rows[0], _TOTAL))
    else:
        total = await _count(session, statement) if win.offset else 0
    found: list[dict[Any, Any]] = []
    start = len(columns) + 1  # after the total
    for spec in to_one:
        view, end, records = spec.view(), start + len(spec.columns), {}
        for row in rows:
            part = tuple(row[start:end])
            if part[0] is not None:  # the target (first column, the id) found
                records[part[0]] = spec.convert(tuple.__new__(view, part))
        found.append(records)
        start = end
    return win, total, rows, found + [{} for _ in range(len(found), asked)]


# What a page's statement becomes (with its columns and total, its window, its records
# joined), by the statement it was made from: a statement kept by its arguments
# (``kept``) is then wrapped once, and its key computed once (decision 217).
_DERIVED: weakref.WeakKeyDictionary[Any, dict[Any, tuple[Any, tuple[ToOne, ...]]]] = (
    weakref.WeakKeyDictionary()
)
# Windows kept per statement: the first pages of a list are asked again and again, a
# client walking a long list asks each offset once.
_DERIVED_LIMIT = 16
_KEPT: OrderedDict[Hashable, Any] = OrderedDict()
_KEPT_LIMIT = 256


def kept(key: Hashable, build: Callable[[], S]) -> S:
    """The statement ``build()`` makes, made once per ``key`` (the arguments it is built
    from, the list's name first) among the last 256 asked in this process.

    A list's statement depends on its arguments only — never on the pole, which the
    session's criteria and row-level security add at execution — and SQLAlchemy's
    statements are immutable: the same arguments can share one. Building it, then
    computing its cache key (the whole tree walked to find its values) cost about a
    millisecond of a dashboard request; a home screen asks the same lists again and
    again (decision 217). A ``build`` that raises (arguments refused) keeps nothing."""
    found = _KEPT.get(key)
    if found is None:
        found = _KEPT[key] = build()
        if len(_KEPT) > _KEPT_LIMIT:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    return found  # type: ignore[no-any-return]


def _joined(page: Any, statement: Any, to_one: Sequence[ToOne]) -> Any | None:
    """The page's statement as a subquery (its filters, order, count and window
    unchanged), each record of ``to_one`` outer-joined to its rows, in the page's order:
    the join outside the window, so that the database joins the page's rows only, not
    every row the count goes over. None when the order names a column the page does not
    select (the outer statement could not sort by it)."""
    inner = page.subquery("page")
    adapter = ClauseAdapter(inner)
    order = [adapter.traverse(clause) for clause in statement._order_by_clauses]
    for clause in order:
        for element in visitors.iterate(clause):
            if isinstance(element, ColumnClause) and element.table is not inner:
                return None
    joined = select(*inner.c, *(c for spec in to_one for c in spec.labelled())).select_from(inner)
    for spec in to_one:
        joined = joined.outerjoin(spec.target.class_, spec.target == inner.c[spec.key.key])
    return joined.order_by(*order)


def asks_total(info: Any) -> bool:
    """Whether a connection field's query selects its ``totalCount`` or its ``pageInfo {
    hasNextPage }`` (which the total answers), aliased or through fragments: a page
    whose client asks neither costs the database no count."""

    def asked(selections: Iterable[Any], in_page_info: bool) -> bool:
        for selection in selections:
            name = getattr(selection, "name", None)
            if getattr(selection, "arguments", None) is None:  # a fragment: same level
                if asked(selection.selections, in_page_info):
                    return True
            elif in_page_info:
                if name == "hasNextPage":
                    return True
            elif name == "totalCount" or (name == "pageInfo" and asked(selection.selections, True)):
                return True
        return False

    return any(asked(field.selections, False) for field in info.selected_fields)


def _total_of(statement: Any) -> Any:
    """The count of every row ``statement`` keeps, as a column of each row of its page:
    an uncorrelated scalar subquery, which PostgreSQL computes once (an InitPlan) while
    the page itself is read in its order and stopped at LIMIT."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return counted.scalar_subquery().label(_TOTAL)


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
