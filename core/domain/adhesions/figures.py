"""The adhesions' figure: members of the year by category, defined once (decision 119)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from core.contributions import Dimension, FigureScope, IndicatorSpec
from core.domain.adhesions.models import Adhesion
from core.domain.adhesions.vocabulary import ADHESION_CATEGORIES

CATEGORY = Dimension("category", "Catégorie d'adhésion", labels=ADHESION_CATEGORIES, coarse=True)


def _members(scope: FigureScope) -> Select:
    # An adhesion is for a civil year: the years the period touches.
    last = scope.period.end - dt.timedelta(days=1)
    return select(Adhesion.id.label("unit"), Adhesion.category.label(CATEGORY.code)).where(
        Adhesion.year >= scope.period.start.year, Adhesion.year <= last.year
    )


FIGURES = [
    IndicatorSpec(
        "adhesions.members",
        "Adhésions",
        "adhérents",
        description="Adhésions des années de la période (une par famille ou structure et par "
        "année), par catégorie.",
        dimensions=(CATEGORY,),
        facts=_members,
        counts_persons=True,
    )
]
