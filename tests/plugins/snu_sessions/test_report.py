"""The module's section of the annual activity report: the year's key figures, the
sessions one by one (present counted, never named; who ran them, the kits they took),
the cancelled ones with their reason, and the quiz's results with their method — or
nothing for a pole that did not enable the module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.api.pages import date_fr
from core.plugins.report_scope import collect_sections
from tests.plugins.snu_sessions.operations import (
    CANCEL,
    RECORD_GROUP,
    RECORD_SESSION,
    SESSION,
    answered_day,
    kit_and_partner,
    ok,
    payload,
    record_session,
    session_input,
)


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
    kit, partner = await kit_and_partner(maillage_db, tenant)
    day = await answered_day(graphql, tenant, maillage_db, centre="Centre SNU des Dunes")
    shown = payload(await graphql.execute(SESSION, {"id": day["id"]}, tenant=tenant), "snuSessions")
    g1 = next(g for g in shown["session"]["groups"] if g["name"] == "G1")
    corrected = {"sessionId": day["id"], "name": "G1", "size": 30, "partnerIds": [partner]}
    ok(
        await graphql.execute(RECORD_GROUP, {"input": corrected, "id": g1["id"]}, tenant=tenant),
        "snuSessionsRecordGroup",
    )
    ok(
        await graphql.execute(
            RECORD_SESSION,
            {"input": session_input(centre="Centre SNU des Dunes", kitIds=[kit]), "id": day["id"]},
            tenant=tenant,
        ),
        "snuSessionsRecordSession",
    )
    # A day called off: listed with its reason, counted nowhere.
    off = await record_session(graphql, tenant, centre="Centre SNU des Oyats")
    ok(
        await graphql.execute(
            CANCEL, {"id": off["id"], "input": {"reason": "weather_or_health"}}, tenant=tenant
        ),
        "snuSessionsCancelSession",
    )

    sections = await _sections(maillage_host, maillage_db, tenant, {"snu_sessions"})
    mine = next(s for s in sections if s.key == "snu_sessions")
    assert mine.title == "Journées de sensibilisation des volontaires du SNU" and not mine.annex
    key_figures, summary, days, cancelled, items = mine.blocks
    assert [(f.label, f.value, f.persons) for f in key_figures.figures] == [
        ("journées SNU", 1, False),
        ("volontaires sensibilisés", 28, True),
        ("réponses aux questionnaires", 9, False),
    ]
    # 2 of 5 knowledge items right before (40 %), 4 of 5 after (80 %).
    assert "40 % avant la journée, 80 % après (+40 points" in summary.text
    assert "non apparié, n = 4" in summary.text
    today = dt.date.today()
    assert days.rows == (
        (
            "Centre SNU des Dunes",
            "Calais",
            today.isoformat(),
            28,
            5,
            4,
            "CAMSP de Calais",
            "Malle boccia",
        ),
    )
    assert [c.persons for c in days.columns] == [False, False, False, True] + [False] * 4
    assert cancelled.text == (
        f"1 journée annulée, comptée dans aucun chiffre : Centre SNU des Oyats "
        f"({date_fr(today)}) : intempéries ou alerte sanitaire."
    )
    first = items.rows[0]
    assert first[0] == "En France, combien de personnes vivent avec un handicap ?"
    assert first[2:4] == (100.0, 100.0) and first[4].startswith("0 points")

    assert "snu_sessions" not in {
        s.key for s in await _sections(maillage_host, maillage_db, tenant, set())
    }
