"""The protection benchmark (benchmarks/protection.py) at a tiny size: realistic
releases are protected, the figure is printed, and the releases' tables are the shapes a
real release has (linked breakdowns sharing their margins)."""

from __future__ import annotations

import random

import pytest

from benchmarks.protection import FIGURES, pole_tables, run
from core.network.protection import Secret
from tests.network.protection.attacker import narrowest


def test_the_benchmark_protects_realistic_releases_and_prints_the_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    releases = run(poles=2)
    printed = capsys.readouterr().out
    assert "network releases protected, 2 poles × 1 year (k = 11)" in printed
    assert "hidden by primary" in printed and "smallest audit interval" in printed
    for release in releases:
        for cell in release.cells.values():
            if release.layout.persons(cell.key) and 1 <= cell.value < 11:
                assert cell.secret is Secret.PRIMARY
        for (_, key), (low, high) in narrowest([release]).items():
            assert high - low >= 11, key


def test_the_tables_of_one_figure_agree_on_their_margins() -> None:
    tables = pole_tables(random.Random(7))
    codes = {figure.code for figure in FIGURES}
    assert {table.figure for table in tables} == codes
    followed = [t for t in tables if t.figure == "enfants_suivis"]
    assert len({sum(t.cells.values()) for t in followed}) == 1
