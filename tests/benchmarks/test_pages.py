"""The page benchmark (benchmarks/pages.py) at a tiny size on SQLite and PostgreSQL, as
the signed-in coordinator of a generated pole: the home page, a family's file and a
follow-up's page answer 200 with the whole HTML, and the follow-up's page costs the
same statements with 50 interventions as with 10 (no N+1)."""

from __future__ import annotations

import uuid

from benchmarks.generator import generate
from benchmarks.lists import Backend
from benchmarks.pages import measure
from core.tenancy.database import Database
from tests.api.conftest import settings_for
from tests.conftest import DbUrls


async def test_the_pages_cost_the_same_statements_for_10_and_50_interventions(
    db: Database, db_urls: DbUrls
) -> None:
    (pole,) = await generate(db, poles=1, children=20, prefix=f"page-{uuid.uuid4().hex[:8]}")
    backend = Backend(db_urls.kind, db, settings_for(db_urls), db_urls.owner)
    figures = await measure(backend, pole, runs=2)
    assert [f.name for f in figures] == [
        "Aujourd'hui",
        "dossier d'une famille",
        "suivi, 50 interventions",
    ]
    follow_up = figures[-1]
    assert len(follow_up.statements) == 2
    assert follow_up.statements[0] == follow_up.statements[1], follow_up.statements
    for figure in figures:
        assert min(figure.statements) > 0 and figure.p50_ms > 0 and figure.cpu_ms > 0
