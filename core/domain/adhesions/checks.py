"""Checks shared by the adhesion, convention and billing services: closed lists, money,
civil years, dates. Each names the field at fault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.errors import ValidationError

READ = "adhesions.read"
MANAGE = "adhesions.manage"
BILLING = "billing.manage"
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CENTS = 100_000_000  # one million euros: beyond, a typing mistake


def one_of(value: str, vocabulary: Mapping[str, str], field: str) -> str:
    if value not in vocabulary:
        raise ValidationError(f"valeur inconnue « {value} » ({', '.join(vocabulary)})", field=field)
    return value


def civil_year(year: int, field: str = "year") -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"année entre {MIN_YEAR} et {MAX_YEAR}", field=field)
    return year


def cents(value: int, field: str, *, positive: bool = False) -> int:
    low = 1 if positive else 0
    if not low <= value <= MAX_CENTS:
        raise ValidationError(
            "montant en centimes, strictement positif"
            if positive
            else "montant en centimes, positif ou nul",
            field=field,
        )
    return value


def not_future(day: dt.date, field: str, today: dt.date | None = None) -> dt.date:
    if day > (today or dt.date.today()):
        raise ValidationError("date dans le futur", field=field)
    return day


def hundredths(value: Decimal | int | str, field: str, *, places: int = 2) -> int:
    """A decimal given by a person (1,5 hour; 0,03 € per inhabitant) as an integer of
    its smallest unit; more decimals than ``places`` is a mistake, not a rounding."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError("nombre décimal attendu", field=field) from None
    scaled = number.scaleb(places)
    if not number.is_finite() or scaled != scaled.to_integral_value():
        raise ValidationError(f"{places} décimales au plus", field=field)
    return int(scaled)


def rounded(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, in integers (amounts in cents)."""
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def euros(amount_cents: int) -> str:
    """French display: 1 234,50 €."""
    whole, part = divmod(abs(amount_cents), 100)
    sign = "-" if amount_cents < 0 else ""
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{part:02d} €"
