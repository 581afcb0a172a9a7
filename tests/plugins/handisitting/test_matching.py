"""Ranking candidates: each score explained in its parts, the best first, and the
number of SQL statements the same for 3 sitters as for 12 (ranking and the staff's
list of sitters with their nested documents, vetting and availability)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event

from tests.plugins.handisitting.operations import (
    CANDIDATES,
    approved_sitter,
    booked,
    data,
    families,
    request_for,
    today,
)

SITTERS_PAGE = """{ handisitting { sitters(first: 100) { totalCount edges { node {
  id commune { name } skills { label } availability { weekdayLabel startsAt }
  documents { kind { label } checked } vetting { status { value } } blocking } } } } }"""


async def _pole(make_tenant: Any, enable_plugin: Any) -> Any:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    return tenant


async def test_candidates_are_ranked_with_every_part_explained(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    home = family["commune"]["inseeCode"]
    wednesday = [{"weekday": 2, "startsAt": "13:00", "endsAt": "19:00"}]
    # Same commune, the skill, free on Wednesdays: the best.
    await approved_sitter(graphql, tenant, home, tag="a", lastName="Aubry", availability=wednesday)
    # Same commune and free, but no autism skill.
    await approved_sitter(
        graphql, tenant, home, tag="b", lastName="Bertin", skills=["motor"], availability=wednesday
    )
    # The skill, same commune, but free only on Mondays.
    await approved_sitter(
        graphql,
        tenant,
        home,
        tag="c",
        lastName="Carpentier",
        availability=[{"weekday": 0, "startsAt": "08:00", "endsAt": "20:00"}],
    )
    next_wednesday = today() + dt.timedelta(days=(2 - today().weekday()) % 7 or 7)
    request = await request_for(graphql, tenant, family, first_on=next_wednesday, weeks=3)
    ranked = data(
        await graphql.execute(CANDIDATES, {"r": request["id"]}, tenant=tenant),
        "handisitting",
        "candidates",
    )
    assert [c["sitter"]["lastName"] for c in ranked] == ["Aubry", "Carpentier", "Bertin"]
    best = ranked[0]
    parts = {p["name"]: p for p in best["parts"]}
    assert list(parts) == ["skills", "distance", "availability", "continuity", "feedback"]
    assert sum(p["weight"] for p in parts.values()) == 100
    assert round(sum(p["points"] for p in parts.values()), 1) == best["total"]
    assert (
        parts["skills"]["points"] == 40
        and "1 compétence(s) demandée(s) sur 1" in parts["skills"]["detail"]
    )
    assert parts["distance"]["points"] == 25 and "0 km" in parts["distance"]["detail"]
    assert parts["availability"]["detail"] == "disponible pour 4 garde(s) sur 4"
    assert parts["feedback"]["points"] == 2.5  # no rating yet: half
    assert best["warnings"] == []
    assert any("non couverte" in w for w in ranked[2]["warnings"])
    assert ranked[1]["warnings"] == ["disponible pour 0 garde(s) sur 4"]


async def test_a_sitter_the_family_knows_comes_first_on_equal_terms(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    home = family["commune"]["inseeCode"]
    await approved_sitter(graphql, tenant, home, tag="a", lastName="Aubry")
    known = await approved_sitter(graphql, tenant, home, tag="z", lastName="Zeller")
    past = await request_for(graphql, tenant, family, first_on=today())
    await booked(graphql, tenant, past, known, agreed_on=today())
    request = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=14))
    ranked = data(
        await graphql.execute(CANDIDATES, {"r": request["id"]}, tenant=tenant),
        "handisitting",
        "candidates",
    )
    assert [c["sitter"]["lastName"] for c in ranked] == ["Zeller", "Aubry"]
    continuity = next(p for p in ranked[0]["parts"] if p["name"] == "continuity")
    assert (continuity["points"], continuity["detail"]) == (10, "connaît déjà la famille")


async def test_statement_counts_do_not_grow_with_the_sitters(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await _pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    request = await request_for(graphql, tenant, family, first_on=today() + dt.timedelta(days=7))
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for total in (3, 12):
        for n in range(len(measured) * 3, total):
            await approved_sitter(graphql, tenant, family["commune"]["inseeCode"], tag=f"s{n}")
        counts = []
        for query, variables in ((CANDIDATES, {"r": request["id"]}), (SITTERS_PAGE, {})):
            await graphql.execute(query, variables, tenant=tenant)  # sign-in, caches
            event.listen(maillage_db.engine.sync_engine, "before_cursor_execute", count)
            try:
                statements.clear()
                result = await graphql.execute(query, variables, tenant=tenant)
            finally:
                event.remove(maillage_db.engine.sync_engine, "before_cursor_execute", count)
            assert "errors" not in result, result
            counts.append(len(statements))
        found = data(
            await graphql.execute(CANDIDATES, {"r": request["id"]}, tenant=tenant),
            "handisitting",
            "candidates",
        )
        measured.append((len(found), counts))
    (few, first), (many, second) = measured
    assert (few, many) == (3, 12) and first == second, measured
