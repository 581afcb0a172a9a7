"""Dimensions several figures share: commune, EPCI, age bracket, and the elements of a
coded JSON list (a child's needs, a request's subjects).

The age rule, the same in every figure that has an age: a person's age is counted on
the *reference date* the figure gives (for a child followed, the later of the
follow-up's opening and the period's start: the age they had when the pole first
followed them in that period), never on today's date, so a report of 2021 printed in
2026 still puts a child who was 15 then among the 15-year-olds.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import case, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import Dimension, FigureScope
from core.errors import ValidationError
from core.tenancy.config import DEFAULT_AGE_BRACKETS, age_brackets_problem
from core.territory.models import Commune, Epci


async def _commune_names(session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    rows = await session.execute(
        select(Commune.insee_code, Commune.name).where(Commune.insee_code.in_(codes))
    )
    return {code: name for code, name in rows}


async def _epci_names(session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    rows = await session.execute(select(Epci.siren, Epci.name).where(Epci.siren.in_(codes)))
    return {code: name for code, name in rows}


COMMUNE = Dimension(
    "commune",
    "Commune",
    labels=_commune_names,
    description="La commune (code INSEE), nommée par le référentiel des communes.",
)
EPCI = Dimension(
    "epci",
    "Intercommunalité (EPCI)",
    labels=_epci_names,
    description="L'EPCI de la commune (numéro SIREN).",
)


def epci_of(insee: Any) -> Any:
    """The EPCI (SIREN) of the commune ``insee`` (a column), as a scalar subquery."""
    return select(Commune.epci_siren).where(Commune.insee_code == insee).scalar_subquery()


# --- Age ------------------------------------------------------------------------------

_BRACKET = re.compile(r"^(\d+)-(\d+)?$")


def _bracket_label(code: str) -> str:
    match = _BRACKET.match(code)
    if match is None:
        return code
    low, high = int(match[1]), match[2]
    if high is None:
        return f"{low} ans et plus"
    if low == 0:
        return f"Moins de {int(high) + 1} ans"
    return f"{low} à {high} ans"


async def _bracket_labels(_session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    return {code: _bracket_label(code) for code in codes}


AGE_BRACKET = Dimension(
    "age_bracket",
    "Tranche d'âge",
    labels=_bracket_labels,
    coarse=True,
    order="code",
    description="Âge à la date de référence de l'indicateur (jamais la date du jour), "
    "en tranches réglées par le pôle (réglage age_brackets, par défaut 0, 3, 6, 12 : "
    "« Moins de 3 ans », « 3 à 5 ans », « 6 à 11 ans », « 12 ans et plus »). Code : "
    "« 3-5 », « 12- ».",
)


def age_brackets(settings: Mapping[str, Any]) -> tuple[int, ...]:
    """The pole's brackets' lower bounds (setting ``age_brackets``, or the default)."""
    value = settings.get("age_brackets", list(DEFAULT_AGE_BRACKETS))
    problem = age_brackets_problem(value)
    if problem is not None:
        raise ValidationError(f"réglage age_brackets du pôle : {problem}", field="settings")
    return tuple(value)


def age_on(birth: Any, reference: Any) -> Any:
    """Whole years between ``birth`` and ``reference`` (date columns or expressions),
    in SQL that SQLite and PostgreSQL both run."""
    before_birthday = case(
        (
            extract("month", reference) * 100 + extract("day", reference)
            < extract("month", birth) * 100 + extract("day", birth),
            1,
        ),
        else_=0,
    )
    return extract("year", reference) - extract("year", birth) - before_birthday


def age_bracket(age: Any, brackets: Sequence[int]) -> Any:
    """The bracket's code (``0-2``, ``3-5``, ``12-``) of an age expression."""
    bounds = list(brackets)
    whens = [(age < high, f"{low}-{high - 1}") for low, high in itertools.pairwise(bounds)]
    return case(*whens, else_=f"{bounds[-1]}-") if whens else f"{bounds[-1]}-"


def later_of(a: Any, b: Any) -> Any:
    return case((a > b, a), else_=b)


# --- Coded JSON lists -------------------------------------------------------------------


def json_elements(scope: FigureScope, column: Any, name: str) -> Any:
    """A FROM element with one row per element of the JSON list ``column`` (a column
    ``value``), to outer-join on ``true()``: a row whose list is empty keeps one row
    with ``value`` NULL (« non renseigné »)."""
    if scope.dialect == "postgresql":
        return func.json_array_elements_text(column).table_valued("value").lateral(name)
    return func.json_each(column).table_valued("value").alias(name)


__all__ = [
    "AGE_BRACKET",
    "COMMUNE",
    "EPCI",
    "age_bracket",
    "age_brackets",
    "age_on",
    "epci_of",
    "json_elements",
    "later_of",
]
