"""The pole's price list: paid services to non-members and the adhesion fees, each code
versioned by validity date (a new price is a new row from its date; the old one stays
for the invoices it priced)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.domain.adhesions.checks import BILLING, cents, one_of
from core.domain.adhesions.models import PriceListItem
from core.domain.adhesions.vocabulary import PRICE_CODES, PRICE_UNITS
from core.domain.lookups import audit
from core.errors import ConflictError, ValidationError

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


async def set_price(
    session: AsyncSession,
    caller: Caller,
    *,
    code: str,
    amount_cents: int,
    valid_from: dt.date,
    unit: str,
    label: str = "",
) -> PriceListItem:
    """Add a price from ``valid_from`` (a well-known code takes its French label when
    none is given; a pole's own code needs one)."""
    actor = caller.require(BILLING)
    if not CODE_RE.match(code):
        raise ValidationError(
            "code en minuscules, chiffres et « _ » (2 à 40 caractères)", field="code"
        )
    one_of(unit, PRICE_UNITS, "unit")
    cents(amount_cents, "amountCents")
    name = " ".join(label.split()) or PRICE_CODES.get(code, "")
    if not name:
        raise ValidationError("libellé de la prestation", field="label")
    taken = await session.execute(
        select(PriceListItem.id).where(
            PriceListItem.code == code, PriceListItem.valid_from == valid_from
        )
    )
    if taken.first() is not None:
        raise ConflictError("un tarif de ce code existe déjà à cette date", field="validFrom")
    row = PriceListItem(
        code=code, label=name, unit=unit, amount_cents=amount_cents, valid_from=valid_from
    )
    session.add(row)
    await session.flush()
    audit(session, actor.subject, "prices.set", "PriceListItem", row.id, ["amountCents"])
    return row


async def price_at(session: AsyncSession, code: str, on: dt.date) -> PriceListItem | None:
    """The price of ``code`` in force on ``on`` (the latest valid_from not after it)."""
    return (
        await session.execute(
            select(PriceListItem)
            .where(PriceListItem.code == code, PriceListItem.valid_from <= on)
            .order_by(PriceListItem.valid_from.desc())
            .limit(1)
        )
    ).scalar()


def price_list_query(
    *, on: dt.date | None = None, codes: Sequence[str] = ()
) -> Select[tuple[PriceListItem]]:
    """Every version (``on`` None), or the price of each code in force on ``on``."""
    statement = select(PriceListItem)
    if codes:
        statement = statement.where(PriceListItem.code.in_(list(codes)))
    if on is not None:
        latest = (
            select(PriceListItem.code, func.max(PriceListItem.valid_from).label("since"))
            .where(PriceListItem.valid_from <= on)
            .group_by(PriceListItem.code)
            .subquery()
        )
        statement = statement.join(
            latest,
            (latest.c.code == PriceListItem.code) & (latest.c.since == PriceListItem.valid_from),
        )
    return statement.order_by(PriceListItem.code, PriceListItem.valid_from.desc(), PriceListItem.id)
