"""Mail: an outbox table written in the deciding transaction, and senders.

``queue`` adds a message to the caller's session (no mail without the change, no
change without its mail); ``deliver_pending`` sends what is committed and marks it
sent. The console sender (demo) writes the message to standard error, links
included, so a person trying the demo can follow a reset or invitation link; the
SMTP sender speaks to the operator's relay.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.config import utcnow
from core.auth.models import MailMessage

log = logging.getLogger("maillage.mail")
MAX_ATTEMPTS = 5


class MailSender(Protocol):
    async def send(self, message: MailMessage) -> None: ...


@dataclass
class ConsoleSender:
    """The demo's sender: prints the mail (and keeps the last ones for tests)."""

    stream: TextIO | None = None
    sent: list[MailMessage] | None = None

    async def send(self, message: MailMessage) -> None:
        out = self.stream or sys.stderr
        print(
            f"\n--- courriel (envoi console) ---\nÀ : {message.to}\nObjet : {message.subject}\n\n"
            f"{message.body}\n--- fin ---",
            file=out,
            flush=True,
        )
        if self.sent is not None:
            self.sent.append(message)


@dataclass
class SmtpSender:
    url: str
    sender: str

    async def send(self, message: MailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: MailMessage) -> None:
        parts = urlsplit(self.url)
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail.set_content(message.body)
        cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with cls(parts.hostname or "localhost", parts.port or 0, timeout=30) as smtp:
            if parts.scheme == "smtp":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(mail)


def sender_from_settings(mail: str, mail_from: str) -> MailSender:
    return ConsoleSender() if mail == "console" else SmtpSender(mail, mail_from)


def queue(session: AsyncSession, *, to: str, subject: str, body: str) -> MailMessage:
    message = MailMessage(to=to, subject=subject, body=body)
    session.add(message)
    return message


async def deliver_pending(
    open_session: Callable[[], AsyncSession], sender: MailSender, *, limit: int = 100
) -> int:
    """Send committed, unsent mails; returns how many were sent. A failing mail is
    retried on the next run, up to MAX_ATTEMPTS."""
    sent = 0
    async with open_session() as session:
        pending = (
            (
                await session.execute(
                    select(MailMessage)
                    .where(MailMessage.sent_at.is_(None), MailMessage.attempts < MAX_ATTEMPTS)
                    .order_by(MailMessage.created_at)
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )
        for message in pending:
            message.attempts += 1
            try:
                await sender.send(message)
            except Exception:
                log.exception("mail not sent", extra={"event": "mail_failed"})
                continue
            message.sent_at = utcnow()
            sent += 1
        await session.commit()
    return sent
