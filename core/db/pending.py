"""Whether a session's open transaction holds writes that nobody committed.

A request commits its audit rows at its end, in its own transaction (docs/decisions.md,
92). A mutation that failed without rolling back may have flushed half a change; that
commit must not carry it along. Registered on ``Session`` (the class), like the tenant
guard, so every session is tracked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

WROTE_KEY = "maillage_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context: Any) -> None:
    session.info[WROTE_KEY] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE_KEY] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint's end leaves the outer transaction's writes where they were.
    if transaction.parent is None:
        session.info.pop(WROTE_KEY, None)


def uncommitted_writes(session: Session) -> bool:
    """Writes flushed or executed since the last commit, or objects still to flush."""
    return bool(session.info.get(WROTE_KEY) or session.new or session.dirty or session.deleted)
