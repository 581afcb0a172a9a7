"""The published copy of the annual report (issue 17, item 7): the same sections, with every
count of persons from 1 to threshold − 1 replaced by ``Hidden`` (printed « < 5 »).

A function from sections to sections: the hidden numbers never reach a renderer, the
GraphQL answer or a file. In a table, a percentage of a row whose count is hidden is hidden
too (it would give the count back with the total), printed « masqué ». Totals stay: the
report's published copy hides small cells, as the issue asks; the network's releases, read
by others, add the complementary suppression that totals would call for (decision 124).
"""

from __future__ import annotations

from dataclasses import replace

from core.plugins.sections import (
    Area,
    Block,
    Cell,
    Chart,
    Hidden,
    KeyFigures,
    Map,
    ReportSection,
    Series,
    Table,
)


def _small(value: Cell, threshold: int) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < threshold


def hide(value: Cell, threshold: int) -> Cell:
    return Hidden(threshold) if _small(value, threshold) else value


def _row(
    table: Table, row: tuple[Cell, ...], threshold: int, total: bool = False
) -> tuple[Cell, ...]:
    persons = [column.persons and column.kind != "percent" for column in table.columns]
    # The totals row's shares are 100 %: nothing to give back.
    hidden = not total and any(
        p and _small(v, threshold) for p, v in zip(persons, row, strict=True)
    )
    out: list[Cell] = []
    for column, value in zip(table.columns, row, strict=True):
        if column.persons and column.kind == "percent":
            out.append(Hidden(threshold) if hidden and value is not None else value)
        elif column.persons:
            out.append(hide(value, threshold))
        else:
            out.append(value)
    return tuple(out)


def _block(block: Block, threshold: int) -> Block:
    if isinstance(block, KeyFigures):
        return KeyFigures(
            tuple(
                replace(f, value=hide(f.value, threshold), previous=hide(f.previous, threshold))
                if f.persons
                else f
                for f in block.figures
            )
        )
    if isinstance(block, Table):
        total = None if block.total is None else _row(block, block.total, threshold, True)
        return replace(
            block, rows=tuple(_row(block, r, threshold) for r in block.rows), total=total
        )
    if isinstance(block, Chart) and block.persons:
        series = tuple(
            Series(s.name, tuple(hide(v, threshold) for v in s.values)) for s in block.series
        )
        return replace(block, series=series)
    if isinstance(block, Map) and block.persons:
        areas = tuple(Area(a.code, a.name, hide(a.value, threshold)) for a in block.areas)
        return replace(block, areas=areas)
    return block


def published(sections: tuple[ReportSection, ...], threshold: int) -> tuple[ReportSection, ...]:
    """The sections as the published copy prints them."""
    return tuple(
        replace(section, blocks=tuple(_block(b, threshold) for b in section.blocks))
        for section in sections
    )
