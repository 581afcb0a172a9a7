"""How a value of the report is written in French, in every format that prints text (HTML,
PDF, Word): « 1 234 », « 12,5 % », « 45 000,00 € », « 06/12/2026 », « < 5 », « — »; and the
key figures' sentence, « 49 enfants suivis, soit 10 de plus qu'en 2024 »."""

from __future__ import annotations

import datetime as dt

from core.api.pages import number_fr
from core.plugins.sections import Cell, Column, Hidden, KeyFigure

NOTHING = "—"
HIDDEN_SHARE = "masqué"


def printed(value: Cell, kind: str = "count") -> str:
    if value is None:
        return NOTHING
    if isinstance(value, Hidden):
        # A share of a hidden count is hidden too, but « < 5 » would read as « under 5 % ».
        return HIDDEN_SHARE if kind == "percent" else str(value)
    if isinstance(value, str):
        if kind == "date" and len(value) == 10:
            try:
                return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
            except ValueError:
                return value
        return value
    if kind == "percent":
        return f"{number_fr(round(float(value), 1))} %"
    if kind == "amount":
        return f"{number_fr(float(value), 2)} €"
    if isinstance(value, float) and not value.is_integer():
        return number_fr(round(value, 2))
    return number_fr(int(value))


def cell_text(column: Column, value: Cell) -> str:
    return printed(value, column.kind)


def figure_value(figure: KeyFigure) -> str:
    kind = "percent" if figure.unit == "%" else "count"
    return printed(figure.value, kind)


def change_sentence(figure: KeyFigure, year: int) -> str:
    """« soit 10 de plus qu'en 2024 », « autant qu'en 2024 », « soit 3 de moins… »; empty
    when last year is unknown or hidden. A rate changes by points."""
    change = figure.change
    if change is None:
        return ""
    before = year - 1
    if change == 0:
        return f"autant qu'en {before}"
    amount = number_fr(abs(round(change, 1)) if isinstance(change, float) else abs(change))
    if figure.unit == "%":
        way = "en hausse" if change > 0 else "en baisse"
        return f"{way} de {amount} points par rapport à {before}"
    way = "de plus" if change > 0 else "de moins"
    return f"soit {amount} {way} qu'en {before}"
