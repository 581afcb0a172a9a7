"""The application wall: every ORM statement is filtered by the session's tenant.

Registered once on ``Session`` (the class), so it holds for every session in the
process, including one an integrator builds by hand. It fails closed:

* a statement that reaches a tenant table with no tenant in scope raises;
* selects, relationship and column loads, ``.any()`` / ``.has()`` and bulk
  UPDATE / DELETE get ``tenant_id = :current`` on every TenantScoped entity
  (``with_loader_criteria``, propagated to lazy loads);
* Core statements (not ORM-enabled) on tenant tables are refused: they would
  escape the criteria;
* the flush guard stamps new rows with the current tenant and refuses rows of
  another tenant or a changed ``tenant_id``.

A platform job that must cross tenants opens ``Database.unscoped()``, which marks
its session and is audited. One narrower crossing exists: an *identity session*
(``Database.identity_session(user_id)``) may SELECT the rows of self-readable tables
(``SELF_READ_KEY``, e.g. memberships) that belong to its user, in every pole, and
nothing else — how a person lists the poles they can work in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from core.db import sql
from core.db.base import SELF_READ_KEY, table_kind
from core.tenancy.scoped import TenantScoped

TENANT_KEY = "maillage_tenant_id"
IDENTITY_KEY = "maillage_identity_user"
UNSCOPED_KEY = "maillage_unscoped"
ORM_FILTER_KEY = "maillage_orm_filter"
# Execution option of the request's first statement (core.auth.principal): on a
# reference session, it may read self-readable tables (the membership) of the pole it
# finds in the same statement, which it also enters (docs/decisions.md, 116).
CALLER_KEY = "maillage_caller"


class TenantScopeError(RuntimeError):
    """A programming error: tenant data reached without the tenant wall in place."""


def session_tenant(session: Session) -> uuid.UUID | None:
    return session.info.get(TENANT_KEY)


def is_unscoped(session: Session) -> bool:
    return bool(session.info.get(UNSCOPED_KEY))


# What a statement's shape touches, by its cache key: the key leaves the bound values
# out, so every request's caller statement (or a Core statement) of one shape shares
# one entry. ``find_tables`` walks the whole statement; on the dashboard it was a
# tenth of a worker's CPU (docs/decisions.md, 195). SQLAlchemy memoizes the key on the
# statement, and its own compiled cache asks for the same one, so it is paid once.
_ANALYSED: dict[Any, tuple[list[str], frozenset[str]]] = {}
_ANALYSED_LIMIT = 4096


def _analysis(statement: Any) -> tuple[list[str], frozenset[str]]:
    """The tenant tables ``statement`` touches and the self-readable ones among all."""
    generated = getattr(statement, "_generate_cache_key", None)
    cache_key = generated() if generated is not None else None
    # The ``key`` part: the shape without the bound values (a CacheKey is not hashable).
    key = cache_key.key if cache_key is not None else None
    if key is not None:
        found = _ANALYSED.get(key)
        if found is not None:
            return found
    analysed = (_find_tenant_tables(statement), _self_readable(statement))
    if key is not None:
        if len(_ANALYSED) >= _ANALYSED_LIMIT:
            _ANALYSED.clear()
        _ANALYSED[key] = analysed
    return analysed


def _tenant_tables(statement: Any) -> list[str]:
    return _analysis(statement)[0]


def _self_readable(statement: Any) -> frozenset[str]:
    return frozenset(
        str(getattr(t, "element", t).name)
        for t in find_tables(statement, include_aliases=True, include_selects=True)
        if SELF_READ_KEY in getattr(getattr(t, "element", t), "info", {})
    )


def _find_tenant_tables(statement: Any) -> list[str]:
    tables = find_tables(
        statement,
        check_columns=True,
        include_aliases=True,
        include_joins=True,
        include_selects=True,
        include_crud=True,
    )
    names = []
    for found in tables:
        original = getattr(found, "element", found)  # an Alias wraps its table
        if isinstance(original, Table) and table_kind(original) == "tenant":
            names.append(str(original.name))
    return sorted(set(names))


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    session = state.session
    if is_unscoped(session):
        return
    tenant_id = session_tenant(session)
    statement = state.statement

    if not state.is_orm_statement:
        touched = _tenant_tables(statement)
        if touched:
            raise TenantScopeError(
                f"Core statement on tenant table(s) {', '.join(touched)}: use the ORM "
                "entities (filtered by tenant) or Database.unscoped() for a platform job"
            )
        return

    if tenant_id is None and session.info.get(IDENTITY_KEY) is not None:
        _filter_by_user(state, session.info[IDENTITY_KEY])
        return

    if tenant_id is None:
        touched = _tenant_tables(statement)
        if touched and state.is_select and state.execution_options.get(CALLER_KEY):
            _check_caller(state, touched)
            return
        if touched:
            raise TenantScopeError(
                f"no tenant in scope for a statement on {', '.join(touched)}: open the "
                "session with Database.session(tenant_id)"
            )
        return

    if state.is_insert:
        _check_bulk_insert(state, tenant_id)
        return

    if not session.info.get(ORM_FILTER_KEY, True):
        return  # RLS-only test mode: the database wall stands alone

    if state.is_select or state.is_update or state.is_delete:
        state.statement = statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )


def _check_caller(state: ORMExecuteState, touched: list[str]) -> None:
    """The caller's statement reads, besides reference tables, only self-readable ones
    (the person's membership), and only in a session bound to no pole and no person."""
    allowed = _analysis(state.statement)[1]
    if state.session.info.get(IDENTITY_KEY) is not None or not set(touched) <= allowed:
        raise TenantScopeError(
            f"the caller's statement may read self-readable tables only, not {', '.join(touched)}"
        )


def _filter_by_user(state: ORMExecuteState, user_id: uuid.UUID) -> None:
    """Identity session: SELECT on self-readable tables, filtered to the user's rows."""
    touched = _tenant_tables(state.statement)
    if not touched:
        return
    if not state.is_select:
        raise TenantScopeError("an identity session only reads its own rows")
    criteria = []
    for mapper in state.all_mappers:
        column = mapper.local_table.info.get(SELF_READ_KEY)
        if column is not None:
            criteria.append(
                with_loader_criteria(
                    mapper.class_,
                    lambda cls, _c=column: getattr(cls, _c) == user_id,
                    include_aliases=True,
                )
            )
    readable = {
        str(m.local_table.name) for m in state.all_mappers if SELF_READ_KEY in m.local_table.info
    }
    if not criteria or set(touched) - readable:
        raise TenantScopeError(
            f"an identity session may read only its own rows of self-readable tables, "
            f"not {', '.join(sorted(set(touched) - readable)) or ', '.join(touched)}"
        )
    state.statement = state.statement.options(*criteria)


def _check_bulk_insert(state: ORMExecuteState, tenant_id: uuid.UUID) -> None:
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, TenantScoped):
        return
    if getattr(state.statement, "_values", None) or getattr(state.statement, "_multi_values", None):
        raise TenantScopeError(
            "insert(...).values(...) on a tenant table is refused: pass rows as parameters "
            "(session.execute(insert(Model), rows)) so each row's tenant can be checked"
        )
    params = state.parameters
    rows: Iterable[dict[str, Any]]
    if params is None:
        rows = []
    elif isinstance(params, dict):
        rows = [params]
    else:
        rows = params  # type: ignore[assignment]
    for row in rows:
        given = row.get("tenant_id")
        if given is None:
            row["tenant_id"] = tenant_id
        elif given != tenant_id:
            raise TenantScopeError("bulk insert of a row of another tenant refused")


@event.listens_for(Session, "before_flush")
def _flush_guard(session: Session, _flush_context: Any, _instances: Any) -> None:
    unscoped = is_unscoped(session)
    tenant_id = session_tenant(session)
    checks = session.info.get(ORM_FILTER_KEY, True)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        state = inspect(obj)
        if unscoped:
            if obj.tenant_id is None:
                raise TenantScopeError(
                    f"{type(obj).__name__} without tenant_id in an unscoped session: "
                    "a platform job must name the tenant of each row it writes"
                )
            continue
        if tenant_id is None:
            raise TenantScopeError(
                f"cannot write {type(obj).__name__}: no tenant in scope for this session"
            )
        if state.pending and obj.tenant_id is None:
            obj.tenant_id = tenant_id
            continue
        if not checks:
            continue  # RLS-only test mode: let PostgreSQL's WITH CHECK refuse it
        if obj.tenant_id != tenant_id or state.attrs.tenant_id.history.deleted:
            raise TenantScopeError(
                f"refused to write a {type(obj).__name__} of another tenant "
                "(tenant_id is immutable and must match the session's tenant)"
            )


@event.listens_for(Session, "after_begin")
def _set_database_tenant(session: Session, _transaction: Any, connection: Any) -> None:
    """Second wall: tell PostgreSQL which tenant this transaction serves."""
    if connection.dialect.name != "postgresql" or is_unscoped(session):
        return
    tenant_id = session_tenant(session)
    if tenant_id is not None:
        sql.set_transaction_tenant(connection, tenant_id)
    elif session.info.get(IDENTITY_KEY) is not None:
        sql.set_transaction_user(connection, session.info[IDENTITY_KEY])
