"""Write audit events in the caller's transaction: no trace without the change, no
change without its trace."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent, DeletedRecord
from core.logs import request_id_var


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


def record_deletions(session: AsyncSession, object_type: str, ids: Iterable[uuid.UUID]) -> int:
    """Note in the deletions feed that these records of ``object_type`` (their GraphQL
    type name) were deleted, in the transaction that deletes them."""
    rows = [DeletedRecord(object_type=object_type, object_id=i) for i in ids]
    session.add_all(rows)
    return len(rows)
