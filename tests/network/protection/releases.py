"""Random releases for the property tests: figures whose linked tables are margins of
one joint count, so they agree the way a real computation's would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations, product

from hypothesis import strategies as st

from core.network.protection import Figure, Table

DIMENSIONS = {"age": ("0-3", "4-6", "7-13", "14+"), "public": ("EAJE", "ACM", "école")}
DIMENSIONS["demandeur"] = ("famille", "structure")


@dataclass(frozen=True)
class Joint:
    """One figure's counts over every combination of its dimensions' categories."""

    figure: Figure
    dimensions: tuple[str, ...]
    counts: Mapping[tuple[str, ...], int]
    shapes: tuple[tuple[str, ...], ...]

    def tables(self) -> list[Table]:
        return [marginal(self, shape) for shape in self.shapes]


def marginal(joint: Joint, shape: tuple[str, ...]) -> Table:
    axes = [joint.dimensions.index(d) for d in shape]
    cells: dict[tuple[str, ...], int] = {}
    for coords, count in joint.counts.items():
        key = tuple(coords[a] for a in axes)
        cells[key] = cells.get(key, 0) + count
    return Table(joint.figure.code, shape, cells)


# Mostly small counts (the interesting case), some large ones, some zeros.
counts = st.one_of(st.integers(0, 12), st.integers(0, 12), st.integers(0, 40), st.just(0))


@st.composite
def joints(draw: st.DrawFn, code: str = "enfants", persons: bool | None = None) -> Joint:
    names = draw(st.lists(st.sampled_from(sorted(DIMENSIONS)), min_size=0, max_size=3, unique=True))
    categories = [
        draw(st.lists(st.sampled_from(DIMENSIONS[n]), min_size=1, max_size=4, unique=True))
        for n in names
    ]
    cells = {coords: draw(counts) for coords in product(*categories)}
    possible = [shape for size in (0, 1, 2) for shape in combinations(names, size)]
    shapes = draw(st.lists(st.sampled_from(possible), min_size=1, max_size=4, unique=True))
    if persons is None:
        persons = draw(st.sampled_from([True, True, True, False]))
    return Joint(Figure(code, code.capitalize(), persons), tuple(names), cells, tuple(shapes))


@st.composite
def releases(draw: st.DrawFn) -> list[Joint]:
    size = draw(st.integers(1, 2))
    return [draw(joints(code=f"chiffre{i}")) for i in range(size)]


@st.composite
def corrections(draw: st.DrawFn, joint: Joint) -> Joint:
    """The same figure after a correction: a few counts changed, same tables."""
    changed = dict(joint.counts)
    keys = sorted(changed)
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        changed[key] = draw(counts)
    return Joint(joint.figure, joint.dimensions, changed, joint.shapes)


def figures_and_tables(joints: list[Joint]) -> tuple[list[Figure], list[Table]]:
    return [j.figure for j in joints], [t for j in joints for t in j.tables()]
