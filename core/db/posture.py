"""PostgreSQL security posture: what the tests assert and ``maillage db posture`` prints."""

from __future__ import annotations

from sqlalchemy import Connection

from core.db import sql
from core.db.base import NETWORK_READABLE_KEY, Base, table_kind
from core.db.registry import load_core_models


def posture_problems(
    connection: Connection, *, runtime_role: str, network_role: str | None = None
) -> list[str]:
    """Every problem found; an empty list means the walls stand."""
    load_core_models()
    problems: list[str] = []
    tables = {t.table: t for t in sql.table_posture(connection)}
    for table in Base.metadata.sorted_tables:
        if table_kind(table) != "tenant" or table.name not in tables:
            continue
        state = tables[table.name]
        if not state.rls_enabled:
            problems.append(f"{table.name}: row-level security not enabled")
        if not state.rls_forced:
            problems.append(f"{table.name}: row-level security not forced")
        if sql.POLICY_NAME not in state.policies:
            problems.append(f"{table.name}: no {sql.POLICY_NAME} policy")
        if state.owner == runtime_role:
            problems.append(f"{table.name}: owned by the runtime role {runtime_role}")
    role = sql.role_posture(connection, runtime_role)
    if role is None:
        problems.append(f"runtime role {runtime_role} does not exist")
    else:
        if role.superuser:
            problems.append(f"runtime role {runtime_role} is a superuser")
        if role.bypass_rls:
            problems.append(f"runtime role {runtime_role} has BYPASSRLS")
        if role.owned_objects:
            problems.append(f"runtime role {runtime_role} owns {role.owned_objects} object(s)")
    if network_role is not None:
        problems += _network_problems(connection, network_role)
    return problems


def _network_problems(connection: Connection, network_role: str) -> list[str]:
    """The network's role reads the release tables and nothing else (decision 151)."""
    if not sql.role_exists(connection, network_role):
        return [f"network role {network_role} does not exist"]
    role = sql.role_posture(connection, network_role)
    problems = []
    if role is not None and (role.superuser or role.bypass_rls or role.owned_objects):
        problems.append(f"network role {network_role} is a superuser, bypasses RLS or owns objects")
    readable = {t.name for t in Base.metadata.sorted_tables if t.info.get(NETWORK_READABLE_KEY)}
    for table, privileges in sql.table_privileges(connection, network_role).items():
        if table not in readable and privileges:
            problems.append(f"network role {network_role} may {', '.join(privileges)} {table}")
        elif table in readable and privileges != ["SELECT"]:
            problems.append(
                f"network role {network_role} has {', '.join(privileges) or 'nothing'} on "
                f"{table} (SELECT only expected)"
            )
    return problems
