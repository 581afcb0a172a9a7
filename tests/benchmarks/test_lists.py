"""The list benchmark (benchmarks/lists.py) at a tiny size on SQLite and PostgreSQL, as
the signed-in coordinator of a generated pole: every list answers without error, and a
page of 50 costs the same number of SQL statements as a page of 10 (no N+1)."""

from __future__ import annotations

import uuid

from benchmarks.generator import generate
from benchmarks.lists import Backend, busiest_commune, list_queries, measure
from core.tenancy.database import Database
from tests.api.conftest import settings_for
from tests.conftest import DbUrls


async def test_every_list_costs_the_same_statements_for_10_and_50_rows(
    db: Database, db_urls: DbUrls
) -> None:
    pole, _ = await generate(db, poles=2, children=90, prefix=f"banc-{uuid.uuid4().hex[:8]}")
    backend = Backend(db_urls.kind, db, settings_for(db_urls), db_urls.owner)
    commune = await busiest_commune(db, pole)
    figures = await measure(backend, pole, list_queries(commune), runs=1)
    assert [f.name for f in figures] == [q.name for q in list_queries(commune)]
    paged = {f.name: f for f in figures if len(f.statements) == 2}
    for name in ("followUps (open, nested)", "families", "requests", "structures (search)"):
        figure = paged[name]
        # The second page really is longer, and costs no more statements.
        assert figure.rows[0] == 10 and figure.rows[1] > 10, (name, figure.rows)
        assert figure.statements[0] == figure.statements[1], (name, figure.statements)
    for figure in figures:
        assert min(figure.statements) > 0 and figure.p50_ms > 0
    tasks = next(f for f in figures if f.name == "tasks (pole)")
    assert tasks.rows[0] > 0
