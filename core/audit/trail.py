"""Write audit events in the caller's transaction: no trace without the change, no
change without its trace."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent, DeletedRecord
from core.ids import uuid7
from core.logs import request_id_var
from core.tenancy.guard import session_tenant

# PostgreSQL: a page's read events as ONE statement over arrays, without the ORM's bulk
# insert (its per-row parameters and RETURNING rows cost a twentieth of a dashboard
# request; docs/decisions.md, 195). The tenant is the session's own, given explicitly,
# and row-level security checks it as for any insert.
_READS_ON_POSTGRES = text(
    "INSERT INTO audit_events (id, tenant_id, actor, action, object_type, object_id, "
    "fields, request_id, client_address) "
    "SELECT r.id, CAST(:tenant_id AS uuid), CAST(:actor AS varchar), 'read', r.object_type, "
    "r.object_id, CAST(r.fields AS json), CAST(:request_id AS varchar), "
    "CAST(:client_address AS varchar) "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:object_types AS varchar[]), "
    "CAST(:object_ids AS varchar[]), CAST(:fields AS text[])) "
    "AS r(id, object_type, object_id, fields)"
)


def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None = None,
    fields: Iterable[str] = (),
    client_address: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=sorted(set(fields)),
        request_id=request_id_var.get(),
        client_address=client_address,
    )
    session.add(event)
    return event


async def record_reads(
    session: AsyncSession,
    *,
    actor: str,
    reads: Iterable[tuple[str, str, Iterable[str]]],
    client_address: str | None = None,
) -> None:
    """One ``read`` event per (object type, object id, fields read), as ``record``
    writes them, in ONE bulk insert of plain rows: a list page reads hundreds of
    records, and an ORM object per event (built, then flushed) cost a third of the
    request's CPU (docs/decisions.md, 96). The tenant guard checks each row as for any
    bulk insert; every value here is the server's own (names, ids, subjects), none a
    client's text, so the flush-time length check has nothing to add."""
    request_id = request_id_var.get()
    tenant_id = session_tenant(session.sync_session)
    if tenant_id is not None and session.sync_session.get_bind().dialect.name == "postgresql":
        events = [(t, i, sorted(set(f))) for t, i, f in reads]
        if events:
            await session.execute(
                _READS_ON_POSTGRES,
                {
                    "tenant_id": str(tenant_id),
                    "actor": actor,
                    "request_id": request_id,
                    "client_address": client_address,
                    "ids": [str(uuid7()) for _ in events],
                    "object_types": [t for t, _, _ in events],
                    "object_ids": [i for _, i, _ in events],
                    "fields": [json.dumps(f) for _, _, f in events],
                },
            )
        return
    rows = [
        {
            "actor": actor,
            "action": "read",
            "object_type": object_type,
            "object_id": object_id,
            "fields": sorted(set(fields)),
            "request_id": request_id,
            "client_address": client_address,
        }
        for object_type, object_id, fields in reads
    ]
    if rows:
        # RETURNING makes SQLAlchemy send the rows as one multi-row INSERT (its
        # "insertmanyvalues"); without it asyncpg's executemany runs the statement once
        # per row on the server — a hundred statements for a page of a hundred records.
        await session.execute(insert(AuditEvent).returning(AuditEvent.id), rows)


def record_deletions(session: AsyncSession, object_type: str, ids: Iterable[uuid.UUID]) -> int:
    """Note in the deletions feed that these records of ``object_type`` (their GraphQL
    type name) were deleted, in the transaction that deletes them."""
    rows = [DeletedRecord(object_type=object_type, object_id=i) for i in ids]
    session.add_all(rows)
    return len(rows)
