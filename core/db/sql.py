"""The one module allowed to hold raw SQL (a test enforces it).

Everything here is either dialect plumbing the ORM cannot express (SQLite pragmas,
``set_config``), PostgreSQL security DDL (row-level security, roles, grants) used by
migrations and by the operator's bootstrap, or read-only posture checks. Identifiers
are quoted with the dialect's preparer; values always travel as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Date, Integer, String, cast, func, literal, text, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.user_id"
POLICY_NAME = "tenant_isolation"
SELF_POLICY_NAME = "own_rows"

# core.audit.trail: a page's read events as ONE statement over arrays, sent to the driver
# on the request's connection and in its transaction, without the ORM's bulk insert (its
# per-row parameters and RETURNING rows, then its execution path, cost about a tenth of
# a dashboard request; docs/decisions.md, 195). The tenant is the session's own, given
# explicitly, and row-level security checks it as for any insert.
READ_EVENTS_ON_POSTGRES = (
    "INSERT INTO audit_events (id, tenant_id, actor, action, object_type, object_id, "
    "fields, request_id, client_address) "
    "SELECT r.id, $1::uuid, $2::varchar, 'read', r.object_type, r.object_id, "
    "r.fields::json, $3::varchar, $4::varchar "
    "FROM unnest($5::uuid[], $6::varchar[], $7::varchar[], $8::text[]) "
    "AS r(id, object_type, object_id, fields)"
)


# --- SQLite ----------------------------------------------------------------------------


def sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Pragmas for every new SQLite connection, and the accent-free comparison
    (``folded``) PostgreSQL does with ``translate``."""
    dbapi_connection.create_function(FOLD_FUNCTION, 1, _fold_or_null, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


# --- Tenant of the current transaction ----------------------------------------------------


def set_transaction_tenant(connection: Connection, tenant_id: uuid.UUID) -> None:
    """Set ``app.tenant_id`` for the current transaction only (``is_local = true``).

    Never a session-level ``SET``: a pooled connection would carry one pole's id
    into the next request.
    """
    connection.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(tenant_id)},
    )


def transaction_tenant_column(tenant_id: Any) -> Any:
    """A select-list column that sets ``app.tenant_id`` for the current transaction to
    ``tenant_id`` (a column of the same statement; '' when it is NULL) as the row is
    produced: how the request's first statement, which finds the pole, also enters it
    (docs/decisions.md, 116). PostgreSQL evaluates a select list in order, so a
    correlated subquery placed AFTER this column reads under the pole just set."""
    return func.set_config(
        TENANT_SETTING, func.coalesce(cast(tenant_id, String), ""), true()
    ).label("tenant_setting_")


def set_transaction_user(connection: Connection, user_id: uuid.UUID) -> None:
    """Set ``app.user_id`` for the current transaction: an identity session reads
    its own user's rows of a self-readable table (``own_rows`` policy), nothing else."""
    connection.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": USER_SETTING, "value": str(user_id)},
    )


def analyze(connection: Connection) -> None:
    """Refresh the planner's statistics of every table the connection's role owns (run
    as the owner). Autovacuum does it in production; a bulk load followed at once by
    queries (benchmarks) needs it by hand, or PostgreSQL plans with estimates of one row."""
    connection.exec_driver_sql("ANALYZE")


def ping(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))


# --- Row-level security -------------------------------------------------------------------


def _quote(connection_or_dialect: Any, name: str) -> str:
    dialect = getattr(connection_or_dialect, "dialect", connection_or_dialect)
    return dialect.identifier_preparer.quote(name)


def rls_statements(dialect: Any, table: str) -> list[str]:
    """DDL that puts a tenant table behind RLS: ENABLE, FORCE, one policy.

    ``NULLIF(…, '')`` makes an unset tenant match nothing, so a forgotten
    ``set_config`` fails closed (no rows, and WITH CHECK refuses inserts).
    """
    q = _quote(dialect, table)
    predicate = f"tenant_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid"
    return [
        f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {q} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY_NAME} ON {q} USING ({predicate}) WITH CHECK ({predicate})",
    ]


def self_read_statements(dialect: Any, table: str, column: str) -> list[str]:
    """A second, SELECT-only policy: rows whose ``column`` is the transaction's user.

    Permissive policies are OR-ed: a tenant session still sees its pole's rows; an
    identity session (no tenant set) sees only the rows of its own user.
    """
    q = _quote(dialect, table)
    c = _quote(dialect, column)
    predicate = f"{c} = NULLIF(current_setting('{USER_SETTING}', true), '')::uuid"
    return [f"CREATE POLICY {SELF_POLICY_NAME} ON {q} FOR SELECT USING ({predicate})"]


def enable_self_read(op: Any, table: str, column: str) -> None:
    """For migrations, after ``enable_tenant_rls``: see ``self_read_statements``."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in self_read_statements(bind.dialect, table, column):
        op.execute(statement)


def enable_tenant_rls(op: Any, table: str) -> None:
    """For migrations: ``enable_tenant_rls(op, "service_areas")`` after ``create_table``."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in rls_statements(bind.dialect, table):
        op.execute(statement)


def frozen_statements(
    dialect: Any,
    table: str,
    *,
    parent: str | None = None,
    key: str = "version_id",
    tenant: bool = True,
) -> list[str]:
    """DDL refusing changes to rows once their version is published (both databases).

    Without ``parent``: rows of ``table`` whose ``status`` is 'published' can no longer be
    updated or deleted. With ``parent``: rows of ``table`` pointing (``tenant_id``,
    ``key``) at a published row of ``parent`` can be neither inserted, updated nor
    deleted. The rule holds whatever code writes (the services check it first, with a
    coded error; this is the wall behind them). ``tenant=False`` for reference tables
    (the network's releases), whose parent is found by ``key`` alone.
    """
    q = _quote(dialect, table)
    message = f"{table}: published version is immutable"
    if dialect.name == "postgresql":
        function = _quote(dialect, f"{table}_frozen")
        if parent is None:
            check = "OLD.status = 'published'"
            events = "UPDATE OR DELETE"
        else:
            row = "CASE WHEN TG_OP = 'INSERT' THEN NEW ELSE OLD END"
            same_pole = f"p.tenant_id = ({row}).tenant_id AND " if tenant else ""
            check = (
                f"EXISTS (SELECT 1 FROM {_quote(dialect, parent)} p WHERE {same_pole}"
                f"p.id = ({row}).{_quote(dialect, key)} AND p.status = 'published')"
            )
            events = "INSERT OR UPDATE OR DELETE"
        return [
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {check} THEN RAISE EXCEPTION '{message}' USING ERRCODE = '23000'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER {_quote(dialect, f'{table}_frozen')} BEFORE {events} ON {q} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    statements = []
    if parent is None:
        for event in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {q} "
                f"WHEN OLD.status = 'published' "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return statements
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        same_pole = f"p.tenant_id = {row}.tenant_id AND " if tenant else ""
        statements.append(
            f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {q} "
            f"WHEN (SELECT status FROM {_quote(dialect, parent)} p WHERE {same_pole}"
            f"p.id = {row}.{key}) = 'published' "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


def freeze_published(
    op: Any, table: str, *, parent: str | None = None, key: str = "version_id", tenant: bool = True
) -> None:
    """For migrations: see ``frozen_statements``."""
    dialect = op.get_bind().dialect
    for statement in frozen_statements(dialect, table, parent=parent, key=key, tenant=tenant):
        op.execute(statement)


def unfreeze_published(op: Any, table: str) -> None:
    """For downgrades: the PostgreSQL trigger function outlives its table otherwise."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {_quote(bind.dialect, f'{table}_frozen')}() CASCADE")


def enable_tenant_rls_on(connection: Connection, table: str) -> None:
    """Same as ``enable_tenant_rls`` for code that holds a connection, not Alembic's ``op``."""
    if connection.dialect.name != "postgresql":
        return
    for statement in rls_statements(connection.dialect, table):
        connection.execute(text(statement))


# --- No overlapping periods --------------------------------------------------------------


def no_overlap_statements(
    dialect: Any,
    table: str,
    name: str,
    *,
    keys: tuple[str, ...],
    start: str,
    end: str,
    status: str,
    released: tuple[str, ...],
) -> list[str]:
    """DDL refusing two rows with the same ``keys`` whose [``start``, ``end``] periods
    (both days included) share a day, unless ``status`` is one of ``released`` or a
    key is NULL. PostgreSQL: an exclusion constraint (btree_gist for the equality
    parts). SQLite: triggers before INSERT and UPDATE raising ``name`` (SQLite has one
    writer at a time, and a write transaction reads the latest commit, so the trigger's
    look-up cannot miss a row written at the same moment).

    Identifiers come from the migration (never from a user); ``released`` values are
    quoted as literals because DDL takes no bound parameters.
    """
    q = lambda n: _quote(dialect, n)  # noqa: E731
    literals = ", ".join("'" + value.replace("'", "''") + "'" for value in released)
    table_q, status_q = q(table), q(status)
    if dialect.name == "postgresql":
        parts = ", ".join(f"{q(k)} WITH =" for k in keys)
        not_null = " AND ".join(f"{q(k)} IS NOT NULL" for k in keys)
        return [
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            f"ALTER TABLE {table_q} ADD CONSTRAINT {q(name)} EXCLUDE USING gist ({parts}, "
            f"daterange({q(start)}, {q(end)}, '[]') WITH &&) "
            f"WHERE ({not_null} AND {status_q} NOT IN ({literals}))",
        ]
    same = " AND ".join(f"{q(k)} = NEW.{q(k)}" for k in keys)
    new_not_null = " AND ".join(f"NEW.{q(k)} IS NOT NULL" for k in keys)
    statements = []
    for event, extra in (("INSERT", ""), ("UPDATE", " AND id <> NEW.id")):
        statements.append(
            f"CREATE TRIGGER {q(name + '_' + event.lower())} BEFORE {event} ON {table_q} "
            f"FOR EACH ROW WHEN {new_not_null} AND NEW.{status_q} NOT IN ({literals}) "
            f"BEGIN SELECT RAISE(ABORT, '{name}') WHERE EXISTS (SELECT 1 FROM {table_q} "
            f"WHERE {same} AND {status_q} NOT IN ({literals}) "
            f"AND {q(start)} <= NEW.{q(end)} AND {q(end)} >= NEW.{q(start)}{extra}); END"
        )
    return statements


def forbid_overlaps(op: Any, table: str, name: str, **kw: Any) -> None:
    """For migrations, after ``create_table``: see ``no_overlap_statements``."""
    bind = op.get_bind()
    for statement in no_overlap_statements(bind.dialect, table, name, **kw):
        op.execute(statement)


def allow_overlaps(op: Any, table: str, name: str) -> None:
    """For downgrades: drop what ``forbid_overlaps`` made (the extension stays: other
    tables may use it)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE {_quote(bind, table)} DROP CONSTRAINT IF EXISTS {_quote(bind, name)}"
        )
        return
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {_quote(bind, name + '_' + event)}")


# --- Roles and grants (PostgreSQL) --------------------------------------------------------


@dataclass(frozen=True)
class RoleSpec:
    name: str
    password: str | None
    bypass_rls: bool = False


def role_exists(connection: Connection, role: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).scalar()
    )


def ensure_role(connection: Connection, spec: RoleSpec) -> None:
    """Create or update a LOGIN role; run by a superuser (``maillage db bootstrap``)."""
    q = _quote(connection, spec.name)
    verb = "ALTER" if role_exists(connection, spec.name) else "CREATE"
    options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
    options += " BYPASSRLS" if spec.bypass_rls else " NOBYPASSRLS"
    connection.execute(text(f"{verb} ROLE {q} WITH {options}"))
    if spec.password is not None:
        # Passwords cannot be bound parameters in DDL; quote them as literals.
        literal = spec.password.replace("'", "''")
        connection.execute(text(f"ALTER ROLE {q} WITH PASSWORD '{literal}'"))


def database_exists(connection: Connection, name: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
    )


def create_database(
    connection: Connection, name: str, owner: str, template: str | None = None
) -> None:
    """CREATE DATABASE must run outside a transaction (AUTOCOMMIT connection).
    ``template``: a copy of that database (nobody may be connected to it)."""
    copy = f" TEMPLATE {_quote(connection, template)}" if template else ""
    connection.execute(
        text(f"CREATE DATABASE {_quote(connection, name)} OWNER {_quote(connection, owner)}{copy}")
    )


def drop_database(connection: Connection, name: str) -> None:
    connection.execute(text(f"DROP DATABASE IF EXISTS {_quote(connection, name)} WITH (FORCE)"))


def prepare_schema(connection: Connection, owner: str, roles: Iterable[str]) -> None:
    """Hand the public schema to the owner; the other roles may only use it."""
    schema = "public"
    connection.execute(text(f"ALTER SCHEMA {schema} OWNER TO {_quote(connection, owner)}"))
    connection.execute(text(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"))
    for role in roles:
        connection.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {_quote(connection, role)}"))


def grant_privileges(
    connection: Connection,
    *,
    role: str,
    tenant_tables: Iterable[str],
    reference_tables: Iterable[str],
    writable_reference_tables: Iterable[str] = (),
    append_only_tables: Iterable[str] = (),
) -> None:
    """Grant the least a role needs: DML on tenant tables, SELECT on reference tables
    (DML on the writable ones), SELECT and INSERT only on append-only tables (the
    audit trail, the security events).

    Run after every upgrade by the migration owner, so new tables are covered.
    Skipped when the role does not exist (a single-role development database).
    """
    if not role_exists(connection, role):
        return
    r = _quote(connection, role)
    append_only = set(append_only_tables)
    for table in tenant_tables:
        quoted = _quote(connection, table)
        if table in append_only:
            connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quoted} FROM {r}"))
            connection.execute(text(f"GRANT SELECT, INSERT ON {quoted} TO {r}"))
        else:
            connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quoted} TO {r}"))
    writable = set(writable_reference_tables)
    for table in reference_tables:
        quoted = _quote(connection, table)
        if table in append_only:
            connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quoted} FROM {r}"))
            privileges = "SELECT, INSERT"
        elif table in writable:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        else:
            privileges = "SELECT"
        connection.execute(text(f"GRANT {privileges} ON {quoted} TO {r}"))


# --- Posture (read-only checks used by tests and `maillage db posture`) -------------------


@dataclass(frozen=True)
class TablePosture:
    table: str
    owner: str
    rls_enabled: bool
    rls_forced: bool
    policies: tuple[str, ...]


def table_posture(connection: Connection) -> list[TablePosture]:
    rows = connection.execute(
        text(
            """
            SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity,
                   c.relforcerowsecurity,
                   COALESCE(array_agg(p.polname ORDER BY p.polname)
                            FILTER (WHERE p.polname IS NOT NULL), '{}')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_policy p ON p.polrelid = c.oid
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            GROUP BY c.relname, c.relowner, c.relrowsecurity, c.relforcerowsecurity
            ORDER BY c.relname
            """
        )
    ).all()
    return [TablePosture(r[0], r[1], r[2], r[3], tuple(r[4])) for r in rows]


@dataclass(frozen=True)
class RolePosture:
    name: str
    superuser: bool
    bypass_rls: bool
    owned_objects: int


def role_posture(connection: Connection, role: str) -> RolePosture | None:
    row = connection.execute(
        text(
            """
            SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)
                 + (SELECT count(*) FROM pg_namespace s WHERE s.nspowner = r.oid)
                 + (SELECT count(*) FROM pg_proc f WHERE f.proowner = r.oid)
            FROM pg_roles r WHERE r.rolname = :role
            """
        ),
        {"role": role},
    ).first()
    if row is None:
        return None
    return RolePosture(row[0], row[1], row[2], int(row[3]))


def current_role(connection: Connection) -> str:
    return str(connection.execute(text("SELECT current_user")).scalar())


# --- The national network's role ----------------------------------------------------------


def enter_role(connection: Connection, role: str) -> None:
    """Work as ``role`` until the end of the transaction or :func:`leave_role`
    (``SET LOCAL ROLE``: never beyond the transaction, so a pooled connection cannot
    carry it into the next request). The session's role must be a member of it."""
    connection.execute(text(f"SET LOCAL ROLE {_quote(connection, role)}"))


def leave_role(connection: Connection) -> None:
    """Back to the session's own role (``RESET ROLE`` checks the session user, so it
    works from a role that could not switch back on its own)."""
    connection.execute(text("RESET ROLE"))


def grant_network_reader(
    connection: Connection, *, role: str, member: str, tables: Iterable[str]
) -> None:
    """``role`` may SELECT ``tables`` and nothing else; ``member`` (the runtime role)
    may switch to it. Needs a role that can grant membership (``maillage db bootstrap``
    runs it as the administrator); the table grants are renewed after every upgrade."""
    r = _quote(connection, role)
    for table in tables:
        connection.execute(text(f"GRANT SELECT ON {_quote(connection, table)} TO {r}"))
    if member:
        connection.execute(text(f"GRANT {r} TO {_quote(connection, member)}"))


def ensure_network_role(connection: Connection, name: str, password: str | None) -> None:
    """The network's role: it may log in (a reader of the releases with a SQL tool),
    owns nothing, bypasses no policy."""
    ensure_role(connection, RoleSpec(name, password))


# --- Date arithmetic ------------------------------------------------------------------------


class plus_days(FunctionElement[dt.date]):
    """``date + days`` for a DATE column (or an expression of one), to compare with
    other dates in the statement. PostgreSQL adds an integer to a date; SQLite keeps
    dates as ISO text, and ``date(x, '+N days')`` gives the same ISO text back. The
    number of days travels as a bound parameter (the statement stays cacheable)."""

    type = Date()
    inherit_cache = True
    name = "plus_days"

    def __init__(self, value: Any, days: int) -> None:
        super().__init__(value, literal(int(days), Integer()))


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: Any, **kw: Any) -> str:
    value, days = element.clauses
    return (
        f"date({compiler.process(value, **kw)}, "
        f"(CASE WHEN {compiler.process(days, **kw)} < 0 THEN '' ELSE '+' END) "
        f"|| {compiler.process(days, **kw)} || ' days')"
    )


@compiles(plus_days)
def _plus_days_default(element: plus_days, compiler: Any, **kw: Any) -> str:
    value, days = element.clauses
    return f"({compiler.process(value, **kw)} + {compiler.process(days, **kw)})"


# --- Accent-free comparison ---------------------------------------------------------------

# The letters French first names carry and what they are compared as: « mael » finds Maël.
# The same table in Python (``fold``), in SQLite (a function registered on each connection)
# and in PostgreSQL (``translate``; upper-case letters are mapped before ``lower`` runs, so
# the result does not depend on the database's locale).
_ACCENTED = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŸàáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
_PLAIN = "AAAAAACEEEEIIIINOOOOOUUUUYYaaaaaaceeeeiiiinooooouuuuyy"
_FOLD = str.maketrans(_ACCENTED, _PLAIN)
FOLD_FUNCTION = "maillage_fold"


def fold(value: str) -> str:
    """``value`` without its accents, in lower case: « Éloïse » → « eloise »."""
    return value.translate(_FOLD).lower()


def _fold_or_null(value: str | None) -> str | None:
    return None if value is None else fold(value)


class folded(FunctionElement[str]):
    """A text column compared without accents or case (``fold`` in SQL): a first name,
    which has no accent-free copy stored beside it."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{FOLD_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded)
def _folded_default(element: folded, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"lower(translate({value}, '{_ACCENTED}', '{_PLAIN}'))"


def table_privileges(connection: Connection, role: str) -> dict[str, list[str]]:
    """Each table of the public schema and what ``role`` may do on it."""
    rows = connection.execute(
        text(
            """
            SELECT c.relname,
                   ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE',
                                                    'TRUNCATE']) p
                         WHERE has_table_privilege(:role, c.oid, p))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """
        ),
        {"role": role},
    ).all()
    return {row[0]: list(row[1]) for row in rows}
