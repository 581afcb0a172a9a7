"""The module's section of the annual activity report: the year's key figures, the
sessions one by one (present counted, never named), and the quiz's results with their
method — or nothing for a pole that did not enable the module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.plugins.report_scope import collect_sections
from tests.plugins.snu_sessions.operations import answered_day


async def _sections(host: Any, db: Any, tenant: Any, enabled: set[str]) -> list[Any]:
    async with db.session(tenant.id) as session:
        return await collect_sections(
            host,
            session,
            year=dt.date.today().year,
            departement="62",
            enabled=enabled,
            pole_settings={},
            plugin_settings={"snu_sessions": {"min_answers": 4}},
        )


async def test_the_report_section_of_the_year(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any, maillage_host: Any
) -> None:
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    await answered_day(graphql, tenant, maillage_db, centre="Centre SNU des Dunes")

    sections = await _sections(maillage_host, maillage_db, tenant, {"snu_sessions"})
    mine = next(s for s in sections if s.key == "snu_sessions")
    assert mine.title == "Journées de sensibilisation des volontaires du SNU" and not mine.annex
    key_figures, summary, days, items = mine.blocks
    assert [(f.label, f.value, f.persons) for f in key_figures.figures] == [
        ("journées SNU", 1, False),
        ("volontaires sensibilisés", 28, True),
        ("réponses aux questionnaires", 9, False),
    ]
    # 2 of 5 knowledge items right before (40 %), 4 of 5 after (80 %).
    assert "40 % avant la journée, 80 % après (+40 points" in summary.text
    assert "non apparié, n = 4" in summary.text
    assert days.rows == (("Centre SNU des Dunes", "Calais", dt.date.today().isoformat(), 28, 5, 4),)
    assert [c.persons for c in days.columns] == [False, False, False, True, False, False]
    first = items.rows[0]
    assert first[0] == "En France, combien de personnes vivent avec un handicap ?"
    assert first[2:4] == (100.0, 100.0) and first[4].startswith("0 points")

    assert "snu_sessions" not in {
        s.key for s in await _sections(maillage_host, maillage_db, tenant, set())
    }
