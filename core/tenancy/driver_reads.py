"""Column reads of a pole's tables on PostgreSQL, compiled once per statement shape and
sent straight to the driver — the tenant wall compiled in.

A list page or a DataLoader batch selects plain columns (``select(*CHILD_COLUMNS)``)
and turns each row into a GraphQL object itself: nothing of the ORM's identity map or
object loading is used. Through ``AsyncSession.execute`` such a statement still costs
about 0.7 ms of the worker's CPU on PostgreSQL, of which the driver's own work is
0.2 ms: the ORM's execution state, the tenant guard's ``with_loader_criteria`` (a new
statement and a new cache key each time), the execution context. A dashboard request
runs six of them (docs/decisions.md, 195).

``select_rows(session, statement)`` answers the same rows (same keys, same values) in
about 0.3 ms:

* the statement gets the tenant criteria exactly as the guard would give them
  (``with_loader_criteria`` on every ``TenantScoped`` entity, aliases included), with
  the pole as a named bound parameter, then is compiled ONCE per shape (SQLAlchemy's
  cache key without the values) by SQLAlchemy's own compiler for the session's dialect;
* each call computes that key (memoized on the statement), takes this statement's
  values out of it (SQLAlchemy's ``construct_params`` with the extracted parameters,
  as its own execution does), applies the dialect's bind processors, and runs the SQL
  on the session's connection, in the request's transaction (where ``app.tenant_id``
  is set: row-level security stands behind the compiled criteria);
* result processors are applied per column (the dialect's own, for the column types
  the server described when the statement was first prepared), and rows are tuples
  whose items are also attributes by column key, as SQLAlchemy's rows.

Anything else takes the general path, ``session.execute``: SQLite (a file read is
cheap, and the ORM path is the embedded default's only one), a session without a pole
or not scoped as a request's is (unscoped, identity, the RLS-only test mode), a
statement selecting ORM entities, or column keys that are not distinct identifiers.
"""

from __future__ import annotations

import functools
import keyword
import operator
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import with_loader_criteria

from core.tenancy import guard
from core.tenancy.scoped import TenantScoped

T = TypeVar("T")

# The pole's id, bound by name into every compiled read.
TENANT_PARAM = "maillage_tenant_"

# The guard's criteria (core.tenancy.guard), the tenant as a named parameter instead of
# a closure: one option object for every statement, so its share of the key is fixed.
# The name is written out: SQLAlchemy tracks a lambda's global names as parameters.
_TENANT_CRITERIA = with_loader_criteria(
    TenantScoped,
    lambda cls: cls.tenant_id == bindparam("maillage_tenant_"),
    include_aliases=True,
)

_PLANS: dict[Any, _Plan | None] = {}
# Where a session keeps the connection of its current transaction (``pole_driver``).
_HELD = "maillage_driver_connection"
_SCOPED: weakref.WeakKeyDictionary[Select[Any], Select[Any]] = weakref.WeakKeyDictionary()
_PLANS_LIMIT = 2048


@dataclass(slots=True)
class _Plan:
    compiled: Any
    expanding: bool
    row: type
    # One result processor per column (None: the driver's value as it is), known once
    # the statement has been prepared: some depend on the column's type as the server
    # describes it (a numeric's exact type, for one).
    results: tuple[Any, ...] | None = None
    # The names of the lists an ``IN`` expands (None: the SQL depends on more than their
    # lengths, a value rendered into it or a list of tuples), and per their lengths the
    # expanded SQL and where each of its arguments comes from.
    lists: tuple[str, ...] | None = None
    expansions: dict[tuple[int, ...], tuple[str, tuple[_Slot, ...]]] | None = None


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where one positional argument of an expanded statement comes from: a plain
    parameter (``index`` None) or the ``index``-th item of a list, and its bind
    processor."""

    name: str
    index: int | None
    process: Any


@dataclass(frozen=True, slots=True)
class PoleDriver:
    """A pole session's connection, with the driver's own under it (asyncpg's)."""

    tenant_id: Any
    connection: AsyncConnection
    raw: Any

    @property
    def driver(self) -> Any:
        return self.raw.driver_connection


async def pole_driver(session: AsyncSession) -> PoleDriver | None:
    """The session's connection and its driver's, when statements may go to the driver:
    PostgreSQL, a request's pole session with the ORM filter on (the guard's own
    conditions); None otherwise."""
    sync = session.sync_session
    if guard.is_unscoped(sync) or not sync.info.get(guard.ORM_FILTER_KEY, True):
        return None
    tenant_id = guard.session_tenant(sync)
    if tenant_id is None or sync.get_bind().dialect.name != "postgresql":
        return None
    # The transaction's connection, asked of SQLAlchemy once per transaction: two
    # round trips through its greenlet each time cost a dashboard request about 5 % of
    # its CPU (decision 217). A transaction keeps its connection until it ends.
    held = sync.info.get(_HELD)
    transaction = sync.get_transaction()
    if (
        held is not None
        and transaction is not None
        and held[0] is transaction
        and transaction.is_active
        and not held[1].closed
        and not held[1].invalidated
    ):
        return PoleDriver(tenant_id, held[1], held[2])
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    sync.info[_HELD] = (sync.get_transaction(), connection, raw)
    return PoleDriver(tenant_id, connection, raw)


async def select_rows(session: AsyncSession, statement: Select[Any]) -> list[Any]:
    """The rows of a column ``select`` on the pole's tables, in the request's
    transaction (see the module's docstring for when the general path answers)."""
    if not isinstance(statement, Select) or not _columns_only(statement):
        return list((await session.execute(statement)).all())
    pole = await pole_driver(session)
    if pole is None:
        return list((await session.execute(statement)).all())
    scoped = _SCOPED.get(statement)
    if scoped is None:
        # Kept as long as the statement lives: a statement built once and used again
        # (a page's, kept by its arguments: core.api.pagination.kept) then keeps its
        # key too, which SQLAlchemy memoizes on the statement (decision 217).
        scoped = _SCOPED[statement] = statement.options(_TENANT_CRITERIA)
    key = scoped._generate_cache_key()
    if key is None:
        return list((await session.execute(statement)).all())
    tenant_id, connection, raw = pole.tenant_id, pole.connection, pole.raw
    plan = _PLANS.get(key.key, _MISSING)
    if plan is _MISSING:
        plan = _plan(scoped, key, connection.dialect)
        if len(_PLANS) >= _PLANS_LIMIT:
            _PLANS.clear()
        _PLANS[key.key] = plan
    if plan is None:
        return list((await session.execute(statement)).all())
    compiled = plan.compiled  # type: ignore[union-attr]
    params = compiled.construct_params(
        {TENANT_PARAM: tenant_id},
        extracted_parameters=key[1],
        escape_names=False,
        _no_postcompile=True,
    )
    if plan.expanding:  # type: ignore[union-attr]
        sql, arguments = _expanded(plan, compiled, params)  # type: ignore[arg-type]
    else:
        order, processors = compiled.positiontup, compiled._bind_processors
        sql = compiled.string
        arguments = [
            processors[name](params[name]) if name in processors else params[name] for name in order
        ]
    driver = pole.driver
    results = plan.results  # type: ignore[union-attr]
    if results is None:
        prepared = await on_driver(
            connection, raw, sql, lambda: driver.prepare(sql), announce=False
        )
        records = await on_driver(connection, raw, sql, lambda: prepared.fetch(*arguments))
        results = plan.results = tuple(  # type: ignore[union-attr]
            column.type._cached_result_processor(connection.dialect, attribute.type.oid)
            for column, attribute in zip(
                compiled._result_columns, prepared.get_attributes(), strict=True
            )
        )
    else:
        records = await on_driver(connection, raw, sql, lambda: driver.fetch(sql, *arguments))
    row = plan.row  # type: ignore[union-attr]
    new = tuple.__new__
    if not any(results):
        return [new(row, record) for record in records]
    return [
        new(
            row,
            [
                value if process is None or value is None else process(value)
                for process, value in zip(results, record, strict=True)
            ],
        )
        for record in records
    ]


_MISSING: Any = object()
_EXPANSIONS_LIMIT = 64


def _expanded(plan: _Plan, compiled: Any, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """The SQL and arguments of a statement whose ``IN`` lists expand into one
    parameter per item. SQLAlchemy renders that SQL again on every execution (a third
    of a batch's client CPU); its text depends only on the lists' lengths, so it is
    kept per lengths, with where each argument comes from."""
    if plan.lists is None:
        expanded = compiled._process_parameters_for_postcompile(params)
        processors, values = expanded.processors, expanded.parameters
        return expanded.statement, [
            processors[name](values[name]) if name in processors else values[name]
            for name in expanded.positiontup
        ]
    lengths = tuple(len(params[name]) for name in plan.lists)
    expansions = plan.expansions if plan.expansions is not None else {}
    known = expansions.get(lengths)
    if known is None:
        # Expanded once with markers in place of the items, to learn which item each
        # argument of the SQL is.
        marked = dict(params)
        for name in plan.lists:
            marked[name] = [_Marker(name, i) for i in range(len(params[name]))]
        expanded = compiled._process_parameters_for_postcompile(marked)
        slots = []
        for name in expanded.positiontup:
            value = expanded.parameters[name]
            process = expanded.processors.get(name)
            if isinstance(value, _Marker):
                slots.append(_Slot(value.name, value.index, process))
            else:
                slots.append(_Slot(name, None, process))
        known = (expanded.statement, tuple(slots))
        if len(expansions) >= _EXPANSIONS_LIMIT:
            expansions.clear()
        expansions[lengths] = known
        plan.expansions = expansions
    sql, slots = known
    arguments = []
    for slot in slots:
        value = params[slot.name] if slot.index is None else params[slot.name][slot.index]
        arguments.append(value if slot.process is None else slot.process(value))
    return sql, arguments


@dataclass(frozen=True, slots=True)
class _Marker:
    """An item of an ``IN`` list while its expansion is learnt."""

    name: str
    index: int


@functools.cache
def row_class(names: tuple[str, ...]) -> type:
    """A tuple whose items are also attributes by column key, like SQLAlchemy's rows
    (one class per tuple of names).

    Not ``collections.namedtuple``: its constructor is compiled with no builtins, and a
    collection that starts inside it cannot warn about the abandoned coroutines it
    finalizes (``core.cli.serve._log_unraisable``); thousands of rows a page made it a
    likely place."""
    attributes: dict[str, Any] = {"__slots__": (), "_fields": tuple(names)}
    for index, name in enumerate(names):
        attributes[name] = property(operator.itemgetter(index))
    return type("Row", (tuple,), attributes)


async def on_driver(
    connection: AsyncConnection,
    raw: Any,
    sql: str,
    call: Callable[[], Awaitable[T]],
    *,
    announce: bool = True,
) -> T:
    """``call()``'s answer, the statement ``sql`` first announced to the engine's
    ``before_cursor_execute`` listeners, and a driver error raised as SQLAlchemy would
    raise it: the DBAPI error the dialect adapts it to, wrapped in ``DBAPIError`` (an
    ``OperationalError`` for a lost connection, which is then invalidated so that the
    pool never hands it out again). Callers and the app's error handling see one kind
    of database error, whichever path the statement took."""
    sync = connection.sync_connection
    if announce and (sync._has_events or sync.engine._has_events):
        # What SQLAlchemy tells listeners before a statement (a test's statement count,
        # an integrator's tracing): the driver's statements are announced the same way.
        sync.dispatch.before_cursor_execute(sync, None, sql, None, None, False)
    try:
        return await call()
    except Exception as error:
        dialect = connection.dialect
        dbapi_error = dialect.loaded_dbapi.Error
        try:
            raw.dbapi_connection._handle_exception(error)
        except dbapi_error as adapted:
            lost = dialect.is_disconnect(adapted, raw.dbapi_connection, None)
            if lost:
                await connection.invalidate(adapted)
            raise DBAPIError.instance(
                sql, None, adapted, dbapi_error, connection_invalidated=lost, dialect=dialect
            ) from error
        raise


def _columns_only(statement: Any) -> bool:
    """Whether the statement selects columns only (an entity is a table, an alias or a
    mapped class in the select list, whose rows the ORM would turn into objects)."""
    return all(isinstance(column, ColumnElement) for column in statement._raw_columns)


def _plan(scoped: Any, key: Any, dialect: Any) -> _Plan | None:
    """The compiled read of a statement's shape, or None when only the general path
    may answer it (keys the rows could not carry as attributes, escaped names)."""
    names = list(scoped.selected_columns.keys())
    if (
        len(set(names)) != len(names)
        or not all(n.isidentifier() and not keyword.iskeyword(n) for n in names)
        or any(n.startswith("_") for n in names)
    ):
        return None
    compiled = scoped._compiler(
        dialect,
        cache_key=key,
        column_keys=None,
        for_executemany=False,
        schema_translate_map=None,
    )
    if not compiled.positional or compiled.escaped_bind_names:
        return None
    if len(compiled._result_columns) != len(names):
        return None
    return _Plan(
        compiled=compiled,
        expanding=bool(compiled.post_compile_params or compiled.literal_execute_params),
        row=row_class(tuple(names)),
        lists=_lists(compiled, dialect),
    )


def _lists(compiled: Any, dialect: Any) -> tuple[str, ...] | None:
    """The names of the statement's expanding lists when its expanded SQL depends only
    on their lengths: no value rendered into the SQL, no list of tuples."""
    if compiled.literal_execute_params:
        return None
    names = []
    for parameter in compiled.post_compile_params:
        if not parameter.expanding or parameter.literal_execute:
            return None
        if parameter.type._unwrapped_dialect_impl(dialect)._is_tuple_type:
            return None
        names.append(compiled.bind_names[parameter])
    return tuple(sorted(names))
