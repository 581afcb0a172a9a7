"""The network compares its poles through the real API: a figure across poles and
years per 10,000 inhabitants, the change from the year before, totals from published
cells only, marked incomplete when a cell is hidden; two statements whatever the
number of releases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.network.helpers import (
    ANALYST,
    APPROVE,
    COMPARE,
    COORDINATOR,
    POLE_ADMIN,
    PREPARE,
    SUBMIT,
    follow_children,
    make_network,
    run,
)

FIGURE = "casework.children_followed"


async def publish(client: GraphQLClient, pole: Any, period: str) -> None:
    prepared = await run(client, PREPARE, {"period": period}, tenant=pole, actor=POLE_ADMIN)
    assert prepared["errors"] == [], prepared
    release_id = prepared["release"]["id"]
    await run(client, SUBMIT, {"id": release_id}, tenant=pole, actor=POLE_ADMIN)
    approved = await run(client, APPROVE, {"id": release_id}, actor=COORDINATOR)
    assert approved["errors"] == []


def rows(found: dict[str, Any], *codes: str) -> dict[str, list[dict[str, Any]]]:
    return {r["pole"]["code"]: r["years"] for r in found["rows"] if r["pole"]["code"] in codes}


async def test_poles_compared_per_10000_inhabitants_year_over_year(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    await make_network(client, db, a, b)
    await follow_children(db, a, {4: 20, 8: 20}, year=2024)
    await follow_children(db, a, {1: 3, 4: 15, 8: 30, 13: 20}, year=2025)
    await follow_children(db, b, {4: 12, 8: 14}, year=2025)
    for pole, period in ((a, "2024"), (a, "2025"), (b, "2025")):
        await publish(client, pole, period)

    total = await run(client, COMPARE, {"figure": FIGURE, "years": [2024, 2025]}, actor=ANALYST)
    found = rows(total, a.slug, b.slug)
    a24, a25 = found[a.slug]
    # The 2024 children are still followed in 2025: 40 + 68.
    assert (a24["value"], a25["value"]) == (40, 108)
    assert a25["change"] == 1.7
    assert a25["per10000"] == round(108 * 10_000 / a25["population"], 2)
    b24, b25 = found[b.slug]
    assert not b24["published"] and b24["value"] is None and b25["value"] == 26
    assert b25["change"] is None

    # One cell: the under-3s of pole A in 2025 are a secret; the total is a minimum.
    cell = await run(
        client,
        COMPARE,
        {"figure": FIGURE, "years": [2025], "coords": "age_bracket=0-2"},
        actor=ANALYST,
    )
    hidden = rows(cell, a.slug)[a.slug][0]
    assert hidden["value"] is None and hidden["reason"].startswith("secret statistique")
    assert cell["totals"][0]["incomplete"] is True


async def test_the_comparison_costs_two_statements_whatever_the_releases(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    await make_network(client, db, a, b)
    await follow_children(db, a, {4: 20, 8: 20}, year=2024)
    await follow_children(db, b, {4: 20, 8: 20}, year=2024)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM network_" in statement and "auth_sessions" not in statement:
            statements.append(statement)

    engine = client.app.state.db.engine.sync_engine
    variables = {"figure": FIGURE, "years": [2023, 2024]}
    await publish(client, a, "2024")
    event.listen(engine, "before_cursor_execute", count)
    try:
        await run(client, COMPARE, variables, actor=ANALYST)
        one = len(statements)
        await publish(client, b, "2024")
        statements.clear()
        await run(client, COMPARE, variables, actor=ANALYST)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == one == 2
