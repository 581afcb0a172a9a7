"""Date, DateTime and Decimal as the schema accepts them: strawberry's scalars, with the
bounds a pole's data can have.

Python's dates reach year 1, but every service computes with them (« 30 days
before », « the age bracket on that day »): a date at the edge of the calendar
overflows there, deep in a resolver, and would answer INTERNAL. Bounding the values
at the door makes them the client's mistake, answered VALIDATION naming the variable
or argument, whatever field uses the scalar — core's or a plugin's.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
)
from strawberry.types.scalar import ScalarDefinition

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
# Money and quantities: 15 digits before the point, 6 after, at most.
MAX_DECIMAL = decimal.Decimal("1e15")
MAX_DECIMAL_PLACES = 6


def _refuse(type_name: str, value: object, why: str) -> StrawberryInputCoercionError:
    return StrawberryInputCoercionError(f'Value cannot represent a {type_name}: "{value}". {why}')


def _check_date(day: dt.date, type_name: str, value: object) -> None:
    if not EARLIEST <= day <= LATEST:
        raise _refuse(
            type_name,
            value,
            f"Expected a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}.",
        )


def _bounded(
    definition: ScalarDefinition,
    check: Callable[[Any, object], None],
    normalise: Callable[[Any], Any] = lambda parsed: parsed,
) -> ScalarDefinition:
    parse = definition.parse_value
    assert parse is not None

    def parse_value(value: object) -> object:
        parsed = parse(value)
        check(parsed, value)
        return normalise(parsed)

    return replace(definition, parse_value=parse_value)


def _date(day: dt.date, value: object) -> None:
    _check_date(day, "Date", value)


def _datetime(moment: dt.datetime, value: object) -> None:
    _check_date(moment.date(), "DateTime", value)


def _utc(moment: dt.datetime) -> dt.datetime:
    """Naive means UTC: SQLite hands back the UTC the application stored, without its
    offset, and a client that sends none is read the same way on both databases."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _serialize_datetime(moment: dt.datetime) -> str:
    # Always « …+00:00 »: the same text for the same moment, whatever the database.
    return _utc(moment).isoformat()


def _decimal(number: decimal.Decimal, value: object) -> None:
    if not number.is_finite():
        raise _refuse("Decimal", value, "Expected a finite number.")
    exponent = number.as_tuple().exponent
    if abs(number) >= MAX_DECIMAL or (isinstance(exponent, int) and -exponent > 6):
        raise _refuse(
            "Decimal",
            value,
            f"Expected less than {MAX_DECIMAL:,.0f} with {MAX_DECIMAL_PLACES} decimals at most.",
        )


SCALARS: dict[object, ScalarDefinition] = {
    dt.date: _bounded(
        replace(DateDefinition, description="Date (ISO 8601, AAAA-MM-JJ), de 1900 à 2199."),
        _date,
    ),
    dt.datetime: _bounded(
        replace(
            DateTimeDefinition,
            description="Date et heure (ISO 8601), de 1900 à 2199. Toujours répondue en UTC "
            "avec son décalage (« 2026-10-05T07:30:00+00:00 ») ; envoyée sans décalage, "
            "elle est lue en UTC.",
            serialize=_serialize_datetime,
        ),
        _datetime,
        _utc,
    ),
    decimal.Decimal: _bounded(
        replace(
            DecimalDefinition,
            description="Nombre décimal exact (« 1.5 » : le point comme séparateur), "
            "fini, 6 décimales au plus.",
        ),
        _decimal,
    ),
}
