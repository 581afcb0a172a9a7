"""Write audit events in the caller's transaction: no trace without the change, no
change without its trace."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent, DeletedRecord
from core.db import sql
from core.ids import uuid7_many
from core.logs import request_id_var
from core.tenancy.driver_reads import on_driver, pole_driver


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
    writes them, in ONE statement: a list page reads hundreds of records, and an ORM
    object per event (built, then flushed) cost a third of the request's CPU
    (docs/decisions.md, 96). On PostgreSQL one INSERT over arrays sent to the driver,
    the pole given explicitly and checked by row-level security (decision 195);
    elsewhere one bulk insert of plain rows, which the tenant guard checks as any. Every
    value here is the server's own (names, ids, subjects), none a client's text, so the
    flush-time length check has nothing to add."""
    request_id = request_id_var.get()
    if await _reads_on_postgres(session, actor, reads, request_id, client_address):
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


async def _reads_on_postgres(
    session: AsyncSession,
    actor: str,
    reads: Iterable[tuple[str, str, Iterable[str]]],
    request_id: str | None,
    client_address: str | None,
) -> bool:
    """The read events written by the driver, when the session is a pole's on
    PostgreSQL (``pole_driver``) with its transaction open; False for the ORM's path."""
    pole = await pole_driver(session)
    if pole is None or not pole.driver.is_in_transaction():
        return False
    driver = pole.driver
    events = [(t, i, tuple(sorted(set(f)))) for t, i, f in reads]
    if events:
        await on_driver(
            pole.connection,
            pole.raw,
            sql.READ_EVENTS_ON_POSTGRES,
            lambda: driver.execute(
                sql.READ_EVENTS_ON_POSTGRES,
                pole.tenant_id,
                actor,
                request_id,
                client_address,
                uuid7_many(len(events)),
                [t for t, _, _ in events],
                [i for _, i, _ in events],
                [_fields_json(f) for _, _, f in events],
            ),
        )
    return True


@functools.lru_cache(maxsize=1024)
def _fields_json(fields: tuple[str, ...]) -> str:
    """A read event's field names as JSON: the same few lists on every row of a page."""
    return json.dumps(list(fields))
