"""The attacker: shown every published table of several poles, two versions of each
release and the network's totals across poles, an integer program tries to narrow each
hidden cell. It never gets below k — and it does pin a cell the moment the network would
publish a total that includes hidden cells, which is why the network's totals add up
published cells only."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence

from benchmarks.protection import FIGURES, pole_tables
from core.network.protection import CellKey, ProtectedRelease, Table, protect
from tests.network.protection.attacker import Attacker

POLES = 2
K = 11


def corrected(tables: Sequence[Table], rng: random.Random) -> list[Table]:
    """A correction: two children moved between cells of the age × audience table, one
    more child counted; the linked tables of the figure follow."""
    detail = next(t for t in tables if t.figure == "enfants_suivis" and len(t.dimensions) == 2)
    cells = dict(detail.cells)
    keys = sorted(cells)
    source = rng.choice([k for k in keys if cells[k] >= 2] or keys)
    moved = min(2, cells[source])
    cells[source] -= moved
    cells[rng.choice(keys)] += moved
    cells[rng.choice(keys)] += 1
    out = []
    for table in tables:
        if table.figure != "enfants_suivis":
            out.append(table)
            continue
        axes = [detail.dimensions.index(d) for d in table.dimensions]
        summed: dict[tuple[str, ...], int] = {}
        for coords, count in cells.items():
            key = tuple(coords[a] for a in axes)
            summed[key] = summed.get(key, 0) + count
        out.append(Table(table.figure, table.dimensions, summed))
    return out


@functools.cache
def releases() -> list[list[ProtectedRelease]]:
    rng = random.Random(20)
    poles = []
    for _ in range(POLES):
        tables = pole_tables(rng)
        first = protect(FIGURES, tables, k=K)
        second = protect(FIGURES, corrected(tables, rng), k=K, earlier=[first])
        poles.append([first, second])
    return poles


def network_totals(
    poles: list[list[ProtectedRelease]],
) -> dict[tuple[int, CellKey], tuple[list[tuple[int, int, CellKey]], int]]:
    """Each cell's total across poles as the comparison computes it: published cells only."""
    totals: dict[tuple[int, CellKey], tuple[list[tuple[int, int, CellKey]], int]] = {}
    for pole, versions in enumerate(poles):
        for release in versions:
            for key, cell in release.cells.items():
                if cell.hidden:
                    continue
                terms, value = totals.get((release.version, key), ([], 0))
                totals[(release.version, key)] = (
                    [*terms, (pole, release.version, key)],
                    value + cell.value,
                )
    return totals


def test_an_attacker_holding_every_table_version_and_network_total_never_gets_below_k() -> None:
    poles = releases()
    attacker = Attacker()
    for pole, versions in enumerate(poles):
        attacker.read_pole(pole, versions)
    for terms, value in network_totals(poles).values():
        attacker.read_total(terms, value)
    found = attacker.narrowest()
    assert len(found) > 50, "the releases have hidden cells to attack"
    assert any(version == 2 for _, version, _ in found)
    narrowest = min(high - low for low, high in found.values())
    assert narrowest >= K, narrowest
    for (pole, version, key), (low, high) in found.items():
        value = poles[pole][version - 1].cells[key].value
        assert low <= value <= high


def test_a_network_total_that_counted_hidden_cells_would_give_them_away() -> None:
    # The control: the attacker is strong enough to exploit a careless total. A cell
    # hidden by one pole only, with the network publishing the sum over all poles.
    poles = releases()
    first = [versions[0] for versions in poles]
    key = next(
        key
        for key, cell in first[0].cells.items()
        if cell.hidden and all(not other.cells[key].hidden for other in first[1:])
    )
    attacker = Attacker()
    for pole, release in enumerate(first):
        attacker.read_pole(pole, [release])
    attacker.read_total(
        [(pole, 1, key) for pole in range(POLES)], sum(r.cells[key].value for r in first)
    )
    low, high = attacker.narrowest(only=[(0, 1, key)])[(0, 1, key)]
    assert low == high == first[0].cells[key].value
