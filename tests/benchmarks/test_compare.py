"""The comparison harness (benchmarks/compare.py) at a tiny size: maillage (2 uvicorn
workers), PostGraphile 4 (2 node processes) and the raw SQL query, all as the runtime
role on one private cluster, give the same nested list — the same follow-ups in the same
order, with the same child, structures and interventions — so the figures compare like
with like; the statement counter is exact (the raw query's transaction is four
statements), and the load test of the dashboard answers without error at a few clients.

Needs Node.js and `npm ci --prefix benchmarks/postgraphile` (make test-deps); without
them it is skipped, except under CI=true where it fails.
"""

from __future__ import annotations

import pytest

from benchmarks.compare import POSTGRAPHILE_DIR, compare, node_binary, targets
from core.testing.postgres import PostgresUnavailable
from tests.conftest import IN_CI

pytestmark = pytest.mark.postgres


def _missing() -> str | None:
    if node_binary() is None:
        return "no `node` on PATH"
    if not (POSTGRAPHILE_DIR / "node_modules" / "postgraphile").is_dir():
        return "PostGraphile not installed (npm ci --prefix benchmarks/postgraphile)"
    return None


async def test_maillage_postgraphile_and_raw_sql_give_the_same_nested_list() -> None:
    if (why := _missing()) is not None:
        if IN_CI:
            pytest.fail(f"CI=true: {why}")
        pytest.skip(why)
    lines: list[str] = []
    try:
        report = await compare(
            poles=1, children=30, runs=2, load_seconds=1.0, clients=(4,), echo=lines.append
        )
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI=true and no private PostgreSQL cluster: {exc}")
        pytest.skip(str(exc))

    # Every follow-up of the pole (fewer than a page), the same from all three.
    assert report.same_json, lines
    assert 0 < report.follow_ups == report.generated["follow_ups"] < 100
    names = [f.name for f in report.nested]
    assert names == ["maillage", "PostGraphile", "raw SQL"]
    for figure in report.nested:
        assert len(figure.samples) == 2 and min(figure.samples) > 0
        assert set(figure.statements) == {"nested 10", "nested 100"}
    raw = report.nested[2]
    # BEGIN, set_config, the query, COMMIT: counted by the server, exactly.
    assert raw.statements == {"nested 10": 4, "nested 100": 4}
    assert report.nested[0].server_cpu and report.nested[1].server_cpu
    assert report.ids_statements["maillage"] > 0 and report.ids_statements["PostGraphile"] > 0

    assert [(lo.name, lo.clients) for lo in report.loads] == [
        ("maillage", 4),
        ("PostGraphile", 4),
    ]
    for lo in report.loads:
        assert lo.errors == 0 and lo.latencies, (lo.name, lo.first_error)
        assert all(0 < mb < 2000 for mb in lo.rss_mb) and len(lo.rss_mb) == 2
    assert {t.what for t in targets(report)} >= {"worker RSS ≤ 250 MB"}
