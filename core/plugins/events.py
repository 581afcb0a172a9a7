"""Events are queued on the session and delivered after its commit (never on rollback)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import Event
from core.tenancy.events import queue_event


def emit(session: AsyncSession, event: Event) -> None:
    """Deliver ``event`` to the ``maillage_event`` hook once ``session`` commits."""
    queue_event(session.sync_session, event)
