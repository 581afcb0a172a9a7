"""After-commit delivery of events queued on a session.

The tenancy layer only carries opaque events from a session to the sink its
``Database`` was given (the plugin host): queued with the session, handed over after
a successful commit, dropped on rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

EVENTS_KEY = "maillage_events"
SINK_KEY = "maillage_event_sink"
# Called after a commit that queued mail (the serving process sends it at once); set by
# whoever sends mail for the ``Database`` (the app), opaque here.
MAIL_SINK_KEY = "maillage_mail_sink"

EventSink = Callable[[list[Any]], None]


def queue_event(session: Session, item: Any) -> None:
    if session.info.get(SINK_KEY) is None:
        raise RuntimeError("this session cannot deliver events (no event sink on its Database)")
    if not session.in_transaction():
        # Begin now (no I/O): a rollback before any statement must drop the event too,
        # and SQLAlchemy only reports rollbacks of transactions that exist.
        session.begin()
    session.info.setdefault(EVENTS_KEY, []).append(item)


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    queued = session.info.pop(EVENTS_KEY, None)
    sink = session.info.get(SINK_KEY)
    if queued and sink is not None:
        sink(queued)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(EVENTS_KEY, None)
