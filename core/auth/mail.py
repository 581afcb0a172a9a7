"""Mail: an outbox table written in the deciding transaction, and senders.

``queue`` adds a message to the caller's session (no mail without the change, no
change without its mail); ``deliver_pending`` sends what is committed and marks it
sent. ``queue_soon`` (a plugin's ``sdk.queue_mail``) also asks the serving process to
send it right after the commit, as core's invitations are. The console sender (demo)
writes the message to standard error, links included, so a person trying the demo can
follow a reset or invitation link; the SMTP sender speaks to the operator's relay.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.auth.config import utcnow
from core.auth.models import MailMessage
from core.errors import OperationFailed
from core.settings import Settings
from core.tenancy.events import MAIL_SINK_KEY

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


class MailNotSent(OperationFailed):
    """The relay refused or could not be reached: one sentence naming MAILLAGE_MAIL."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="MAILLAGE_MAIL")


@dataclass
class SmtpSender:
    """Speaks to the operator's relay; the scheme says how (decision 76):
    ``smtps://`` TLS from the first byte, ``smtp+starttls://`` STARTTLS required,
    ``smtp://`` no encryption (a local relay; the settings refuse it elsewhere unless
    allowed). The server's certificate and name are always verified, against the
    system's authorities or ``ca_file``."""

    url: str
    sender: str
    ca_file: Path | None = None

    async def send(self, message: MailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _send(self, message: MailMessage) -> None:
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        relay = f"{parts.scheme}://{host}:{parts.port or ''}".rstrip(":")
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail.set_content(message.body)
        try:
            self._deliver(parts.scheme, host, parts.port, parts.username, parts.password, mail)
        except ssl.SSLCertVerificationError as exc:
            raise MailNotSent(
                f"certificat du relais {relay} refusé ({exc.verify_message}) ; si une "
                "autorité privée le signe, donnez-la dans MAILLAGE_MAIL_CA_FILE"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise MailNotSent(f"relais {relay} : {reason}") from exc

    def _deliver(
        self,
        scheme: str,
        host: str,
        port: int | None,
        username: str | None,
        password: str | None,
        mail: EmailMessage,
    ) -> None:
        if scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port or 465, timeout=30, context=self.tls_context()
            )
        else:
            smtp = smtplib.SMTP(
                host, port or (587 if scheme == "smtp+starttls" else 25), timeout=30
            )
        with smtp:
            if scheme == "smtp+starttls":
                # smtplib raises SMTPNotSupportedError when the relay offers no STARTTLS:
                # the mail never goes out in clear by accident.
                smtp.starttls(context=self.tls_context())
            if username:
                smtp.login(unquote(username), unquote(password or ""))
            smtp.send_message(mail)


def sender_from_settings(settings: Settings) -> MailSender:
    if settings.mail == "console":
        return ConsoleSender()
    return SmtpSender(settings.mail, settings.mail_from, settings.mail_ca_file)


def queue(session: AsyncSession, *, to: str, subject: str, body: str) -> MailMessage:
    message = MailMessage(to=to, subject=subject, body=body)
    session.add(message)
    return message


# Set on a session that queued mail with ``queue_soon``, until it commits or rolls back.
QUEUED_KEY = "maillage_mail_queued"


def queue_soon(session: AsyncSession, *, to: str, subject: str, body: str) -> MailMessage:
    """``queue``, then sent right after the commit by the serving process (the sink the
    app set on its ``Database``); elsewhere (a command) it waits for ``maillage mail
    send``. A rolled-back transaction sends nothing: its mail was never written."""
    message = queue(session, to=to, subject=subject, body=body)
    session.sync_session.info[QUEUED_KEY] = True
    return message


@event.listens_for(Session, "after_commit")
def _send_soon(session: Session) -> None:
    sink = session.info.get(MAIL_SINK_KEY)
    if session.info.pop(QUEUED_KEY, False) and sink is not None:
        sink()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous_transaction: object) -> None:
    session.info.pop(QUEUED_KEY, None)


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    # The last relay error, for a command that must say why in one line.
    error: MailNotSent | None = None


async def _attempt(message: MailMessage, sender: MailSender) -> None:
    message.attempts += 1
    await sender.send(message)
    message.sent_at = utcnow()


async def deliver_pending(
    open_session: Callable[[], AsyncSession], sender: MailSender, *, limit: int = 100
) -> Delivery:
    """Send committed, unsent mails. A failing mail is retried on the next run, up to
    MAX_ATTEMPTS."""
    delivery = Delivery()
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
            try:
                await _attempt(message, sender)
            except MailNotSent as exc:
                # The relay's answer says it all: a line, not a stack.
                log.warning("mail not sent: %s", exc.message, extra={"event": "mail_failed"})
                delivery.failed, delivery.error = delivery.failed + 1, exc
                continue
            except Exception:
                log.exception("mail not sent", extra={"event": "mail_failed"})
                delivery.failed += 1
                continue
            delivery.sent += 1
        await session.commit()
    return delivery


async def send_now(
    open_session: Callable[[], AsyncSession], sender: MailSender, message_id: uuid.UUID
) -> None:
    """Send one committed mail (the CLI's invitation); raise MailNotSent, the mail
    staying in the outbox for ``maillage mail send``."""
    async with open_session() as session:
        message = await session.get(MailMessage, message_id)
        if message is None or message.sent_at is not None:
            return
        try:
            await _attempt(message, sender)
        finally:
            await session.commit()
