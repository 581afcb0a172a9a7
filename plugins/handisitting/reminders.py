"""Expiry reminders by mail: a sitter whose identity document or criminal-record
extract (the documents a proposal needs, decision 138) expires within 30 days, or has
expired, gets one mail per document, so that they bring the renewed one to the pole.

Run by the operator's command ``maillage handisitting reminders`` (``cli.py``), one
transaction per pole: the mail is written to the outbox (``sdk.queue_mail``) in the
same transaction as the document's ``reminded_on``, so a pole whose transaction fails
sends nothing and is reminded next time; ``maillage mail send`` then sends them
(decision 177). A renewed document is a new row: it gets its own reminder when its
turn comes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import sitters
from plugins.handisitting.vocabulary import REQUIRED_DOCUMENTS, DocumentKind

WITHIN_DAYS = 30
REQUIRED = frozenset(kind.value for kind in REQUIRED_DOCUMENTS)


@dataclass(frozen=True)
class Reminded:
    """What the command prints: never a name or an address, only counts."""

    sent: int
    already: int


def _mail(
    pole: sdk.Tenant, first_name: str, kind: DocumentKind, expires_on: dt.date, today: dt.date
) -> tuple[str, str]:
    when = sdk.date_fr(expires_on)
    past = expires_on < today
    subject = f"{pole.short_name or pole.name} : votre {kind.label.lower()} " + (
        f"a expiré le {when}" if past else f"expire le {when}"
    )
    body = "\n".join(
        [
            f"Bonjour {first_name},",
            "",
            (
                f"votre {kind.label.lower()} a expiré le {when} : tant que le pôle n'a pas vu "
                "la pièce renouvelée, il ne peut plus vous proposer de garde."
                if past
                else f"votre {kind.label.lower()} expire le {when}. Après cette date, le pôle "
                "ne pourra plus vous proposer de garde tant qu'il n'aura pas vu la pièce "
                "renouvelée."
            ),
            "",
            "Apportez ou envoyez la nouvelle pièce au pôle dès que vous l'avez.",
            "",
            pole.name,
        ]
    )
    return subject, body


async def remind(session: AsyncSession, pole: sdk.Tenant, *, today: dt.date) -> Reminded:
    """Queue one mail per current required document of the pole's sitters (not refused)
    that expires within ``WITHIN_DAYS`` days or has expired and was not reminded yet,
    and note the day on the document. Two statements to find them, whatever their
    number; the caller commits."""
    sent = already = 0
    for sitter, document in await sitters.expiring(session, today=today, within_days=WITHIN_DAYS):
        if document.kind not in REQUIRED:
            continue
        if document.reminded_on is not None:
            already += 1
            continue
        subject, body = _mail(
            pole,
            sitter.first_name,
            DocumentKind(document.kind),
            document.expires_on,
            today,  # type: ignore[arg-type]
        )
        sdk.queue_mail(session, to=sitter.email, subject=subject, body=body)
        document.reminded_on = today
        sent += 1
    await session.flush()
    return Reminded(sent=sent, already=already)
