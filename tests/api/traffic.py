"""What one request costs the database: connections checked out, pings, transactions,
``set_config`` and statements, counted from SQLAlchemy's engine and pool events.

The pool's pre-ping and asyncpg's BEGIN run below the cursor, so statements alone
would miss them: checkouts, pings and the transaction events are counted apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# Tables read to learn who calls and in which pole (authentication); ``users`` too
# when a whole account is read (its status), not just a name to show.
CALLER_TABLES = ("auth_sessions", "api_clients", "tenants", "memberships")
_FROM = re.compile(r"\bFROM\s+\"?(\w+)\"?", re.IGNORECASE)


@dataclass
class Traffic:
    checkouts: int = 0
    pings: int = 0
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0
    statements: list[str] = field(default_factory=list)

    @property
    def set_configs(self) -> list[str]:
        return [s for s in self.statements if "set_config(" in s]

    @property
    def caller(self) -> list[str]:
        """Statements whose main table is one authentication reads."""
        out = []
        for s in self.statements:
            found = _FROM.search(s)
            table = found.group(1) if found and "set_config(" not in s else None
            if table in CALLER_TABLES or (table == "users" and "users.status" in s):
                out.append(s)
        return out

    @property
    def audit(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("INSERT INTO AUDIT")]

    @property
    def data(self) -> list[str]:
        other = {*self.set_configs, *self.caller, *self.audit}
        return [s for s in self.statements if s not in other]

    @property
    def transaction_control(self) -> int:
        """BEGIN, COMMIT and ROLLBACK sent, the pre-ping's included: asyncpg pings with
        BEGIN; ``;``; ROLLBACK (the ``;`` is counted in ``total``)."""
        return self.begins + self.commits + self.rollbacks + 2 * self.pings

    def summary(self) -> dict[str, int]:
        return {
            "checkouts": self.checkouts,
            "transaction_control": self.transaction_control,
            "pings": self.pings,
            "set_config": len(self.set_configs),
            "caller": len(self.caller),
            "data": len(self.data),
            "audit": len(self.audit),
            "total": self.transaction_control + self.pings + len(self.statements),
        }


@contextmanager
def traffic(engine: AsyncEngine) -> Iterator[Traffic]:
    """Count what goes through ``engine`` inside the block."""
    seen = Traffic()
    sync = engine.sync_engine
    dialect = sync.dialect
    ping = dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        seen.pings += 1
        return ping(dbapi_connection)

    def statement(*args: Any, **_kw: Any) -> None:
        seen.statements.append(args[2])

    def bump(name: str) -> Any:
        def listener(*_args: Any, **_kw: Any) -> None:
            setattr(seen, name, getattr(seen, name) + 1)

        return listener

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", bump("begins")),
        ("commit", bump("commits")),
        ("rollback", bump("rollbacks")),
    ]
    checkout = bump("checkouts")
    dialect.do_ping = counting_ping  # type: ignore[method-assign]
    event.listen(sync.pool, "checkout", checkout)
    for name, fn in listeners:
        event.listen(sync, name, fn)
    try:
        yield seen
    finally:
        for name, fn in listeners:
            event.remove(sync, name, fn)
        event.remove(sync.pool, "checkout", checkout)
        del dialect.do_ping
