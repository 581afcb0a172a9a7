"""The release-job benchmark (benchmarks/network_releases.py) at a tiny size: every pole's
release is prepared through the job from generated data, protected, and the figure is
printed."""

from __future__ import annotations

import pytest

from benchmarks.network_releases import run


def test_the_benchmark_prepares_every_poles_release_and_prints_the_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    measured = run(poles=3)
    printed = capsys.readouterr().out
    assert "network releases through the job, 3 poles × 1 year (SQLite, k = 11)" in printed
    assert measured.poles == 3 and measured.cells > 3 * 10
    assert measured.primary + measured.secondary == 0 or measured.smallest >= 11
