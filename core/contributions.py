"""What hooks return: plain, typed values core can check before it uses them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class GraphQLContribution:
    """A feature's part of the one schema.

    For a plugin, ``query`` is its namespace type (``HandisittingQuery``), reached
    through one nullable root field gated by ``PluginEnabled``; ``mutation`` holds
    top-level mutations, each named with the plugin prefix and gated too. For core
    features, ``query`` and ``mutation`` are merged into the root types. ``types``
    lists types reachable only through interfaces (Relay nodes, union members).
    """

    query: type | None = None
    mutation: type | None = None
    types: Sequence[type] = ()


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) for indicators."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("la fin de période doit suivre son début")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


# An indicator value: a total, optionally broken down by a category label.
IndicatorResult = Mapping[str, int | float]
IndicatorCompute = Callable[[AsyncSession, Period], Awaitable[IndicatorResult]]

# The labels of a dimension's codes that live in the database (communes, kits…): one
# statement for all the codes of a table, never one per cell.
DimensionLabels = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, str]]]


@dataclass(frozen=True)
class Dimension:
    """An axis a figure is broken down by (« tranche d'âge », « commune »…).

    ``labels`` gives the French label of each code: a fixed vocabulary, or an async
    function that looks up the codes of one table at once. ``coarse`` says the axis is
    coarse enough for the national network (issue 20): an age bracket, an audience, a
    borrower kind are; a commune, an EPCI, a kit are not. ``multiple`` says one counted
    unit may sit in several cells (a child's needs profile, a request's subjects): those
    cells do not add up to the total, which still counts each unit once.
    """

    code: str
    title: str
    labels: Mapping[str, str] | DimensionLabels = field(default_factory=dict)
    coarse: bool = False
    multiple: bool = False
    description: str = ""
    # How cells are ordered when ``labels`` is a function: by label (communes) or by
    # code, numbers compared as numbers (age brackets « 3-5 » before « 12- », durations).
    # A fixed vocabulary orders cells as it lists its codes.
    order: str = "label"


@dataclass(frozen=True)
class FigureScope:
    """What a figure's facts are selected for: the period and the pole's settings
    (age brackets…). The session's pole filter applies to every row."""

    period: Period
    settings: Mapping[str, Any] = field(default_factory=dict)
    # The database's dialect (``sqlite``, ``postgresql``), for the few expressions
    # that differ, such as the elements of a JSON list.
    dialect: str = "sqlite"


# A figure's facts: a SELECT of one row per counted unit (and per value of a ``multiple``
# dimension), with a column ``unit`` (what is counted once: a child's id, a loan's id),
# a column ``value`` for the measures ``sum`` and ``mean`` (one value per unit), and one
# column per dimension, named by its code. Core aggregates it in the database.
FigureFacts = Callable[[FigureScope], Any]

# How the facts aggregate: ``count`` units, ``sum`` or ``mean`` of their value.
MEASURES = ("count", "sum", "mean")


@dataclass(frozen=True)
class IndicatorSpec:
    """An aggregate a pole reports and the national network compares.

    A figure with dimensions (plugin API 1.1) gives ``facts``: core computes its total
    and every breakdown from that one definition, in the database, so the activity
    report and the network's releases can never disagree. ``counts_persons`` marks a
    count of persons (children, participants, referents): small cells of those are
    hidden in published copies and releases.

    A figure of plugin API 1.0 gives ``compute(session, period)`` instead, which runs in
    the pole's scoped session and returns numbers only — ``{"total": 12}`` or a
    breakdown ``{"EAJE": 7, "ACM": 5}`` — never rows: anything else is refused.
    """

    name: str
    title: str
    unit: str
    compute: IndicatorCompute | None = None
    description: str = ""
    dimensions: Sequence[Dimension] = ()
    facts: FigureFacts | None = None
    measure: str = "count"
    counts_persons: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "dimensions", tuple(self.dimensions))
        if (self.compute is None) == (self.facts is None):
            raise ValueError(f"indicateur {self.name} : donnez compute ou facts, pas les deux")
        if self.measure not in MEASURES:
            raise ValueError(f"indicateur {self.name} : mesure inconnue {self.measure!r}")
        if self.dimensions and self.facts is None:
            raise ValueError(f"indicateur {self.name} : des dimensions demandent facts")
        codes = [d.code for d in self.dimensions]
        if len(set(codes)) != len(codes) or {"unit", "value"} & set(codes):
            raise ValueError(f"indicateur {self.name} : codes de dimensions en double ou réservés")

    def dimension(self, code: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.code == code), None)


@dataclass(frozen=True)
class Event:
    """Something that happened, delivered after the commit that made it true.

    The payload holds identifiers and codes, never personal values.
    """

    name: str
    tenant_id: uuid.UUID | None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationSource:
    """Where a plugin's Alembic revisions live (one folder, one version table)."""

    versions: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", Path(self.versions))


@dataclass(frozen=True)
class ExportRecord:
    """One record of a family's file as the family reads it: ``kind`` and the field
    labels in French, values as text, numbers, lists or None."""

    kind: str
    id: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class FamilyScope:
    """Whose data: the family and its children's ids (computed once per export or
    erasure and handed to every source)."""

    family_id: uuid.UUID
    child_ids: Sequence[uuid.UUID]


FamilyExport = Callable[[AsyncSession, FamilyScope], Awaitable[Sequence[ExportRecord]]]
# Returns, per table, how many rows were deleted or stripped.
FamilyErase = Callable[[AsyncSession, FamilyScope], Awaitable[Mapping[str, int]]]


@dataclass(frozen=True)
class PersonalDataSource:
    """What one feature holds about a family, for the GDPR life cycle.

    ``export`` lists every record (subject access); ``erase`` deletes or strips what
    identifies the family, keeping at most an anonymous skeleton that activity counts
    need (retention purge and erasure on request run the same function). Sources erase
    by ascending ``order``: a source whose rows point at another's runs first.
    """

    name: str
    title: str
    export: FamilyExport
    erase: FamilyErase
    order: int = 100


# A page's handler: gets the page view (core.api.pages.PageView) and answers.
PageHandler = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True)
class Page:
    """One screen of the web app (``maillage_pages``).

    ``path`` is a Starlette path (``/familles/{id}``); ``action`` gates it (None: any
    member of the pole); ``operations`` names the GraphQL operations the handler runs
    — checked at startup against the loaded ``graphql/operations`` files, so a typo
    stops the app instead of a page."""

    path: str
    handler: PageHandler
    methods: Sequence[str] = ("GET",)
    action: str | None = None
    operations: Sequence[str] = ()
    # False only for the pages a person without a chosen pole may open (choosing one).
    needs_pole: bool = True


@dataclass(frozen=True)
class PageContribution:
    """A feature's or plugin's screens: its pages, the folder of their Jinja2
    templates (``{% extends "layout.html" %}``), and a folder of ``*.graphql`` named
    operations of its own (a plugin ships them in its package)."""

    pages: Sequence[Page] = ()
    templates: Path | None = None
    operations: Path | None = None


@dataclass(frozen=True)
class NavEntry:
    """A link of the main navigation (``maillage_navigation``): shown only to the
    people who hold ``action`` (None: every member), in ``order``."""

    label: str
    path: str
    action: str | None = None
    order: int = 100


# Where a panel goes: the page of core that shows it (more slots may come, versioned).
PANEL_SLOTS = frozenset({"family", "home"})


@dataclass(frozen=True)
class Panel:
    """A plugin's section on one of core's pages (``maillage_panels``, API 1.1).

    On the home page « Aujourd'hui » (``slot="home"``, decision 148) core runs the
    ``operation`` with no variable: a plugin's alerts for the day.
    On the family's page (``slot="family"``) core runs the plugin's named ``operation``
    with the variable ``familyId`` (the family's global id) in the person's request,
    then renders ``template`` (from the plugin's templates folder) with ``data`` (the
    operation's answer) and ``family_id``, under the heading ``title``. Shown only to
    a pole that enabled the plugin and to people holding ``action``; in ``order``
    after core's own sections. A panel that fails says so in its section: the page
    itself still answers."""

    slot: str
    title: str
    operation: str
    template: str
    action: str | None = None
    order: int = 100
