"""``AuthService``: what the auth code shares in one process — the database, the
settings, the key ring, the clock, the mail sender and the declared actions."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from core.access.actions import ActionRegistry
from core.auth.config import AuthConfig, Clock, utcnow
from core.auth.keys import KeyRing
from core.auth.mail import Delivery, MailSender, deliver_pending, sender_from_settings
from core.settings import Settings
from core.tenancy.database import Database

log = logging.getLogger("maillage.auth")


@dataclass
class AuthService:
    db: Database
    config: AuthConfig
    actions: ActionRegistry
    mailer: MailSender
    clock: Clock = utcnow
    ring: KeyRing = field(init=False)
    _mail_tasks: set[asyncio.Task[int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.ring = KeyRing(self.config, clock=lambda: self.clock())

    @classmethod
    def from_settings(
        cls, settings: Settings, db: Database, actions: ActionRegistry
    ) -> AuthService:
        return cls(
            db=db,
            config=AuthConfig.from_settings(settings),
            actions=actions,
            mailer=sender_from_settings(settings),
        )

    def now(self) -> dt.datetime:
        return self.clock()

    async def reload_keys(self) -> None:
        async with self.db.reference_session() as session:
            await self.ring.load(session)

    async def keys(self) -> KeyRing:
        if self.ring.stale():
            await self.reload_keys()
        return self.ring

    def send_mail_soon(self) -> None:
        """After a commit that queued mail: send it in the background."""
        task = asyncio.get_running_loop().create_task(self.deliver_mail())
        self._mail_tasks.add(task)
        task.add_done_callback(self._mail_tasks.discard)

    async def deliver_mail(self) -> Delivery:
        try:
            return await deliver_pending(self.db.reference_session, self.mailer)
        except Exception:
            log.exception("mail delivery failed", extra={"event": "mail_failed"})
            return Delivery()

    async def drain(self) -> None:
        if self._mail_tasks:
            await asyncio.gather(*self._mail_tasks, return_exceptions=True)
