"""The plugin's figures over the demo data: families helped, hours, bookings, active
sitters and requests left unmatched, with their breakdowns; and the seed adds nothing
the second time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from plugins.handisitting import seed
from plugins.handisitting.models import Sitter
from tests.plugins.handisitting.operations import data, today

FIGURE = """query($name: String!, $start: Date!, $end: Date!, $dims: [String!]) {
  figure(name: $name, start: $start, end: $end, dimensions: $dims) {
    total cells { values { dimension code label } value } } }"""


async def test_figures_over_the_demo_data(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    for _ in range(2):  # idempotent
        async with maillage_db.session(tenant.id) as session:
            await seed.seed(tenant, session)
            await session.commit()
    async with maillage_db.session(tenant.id) as session:
        assert await session.scalar(select(func.count()).select_from(Sitter)) == 6

    period = {
        "start": (today() - dt.timedelta(days=60)).isoformat(),
        "end": (today() + dt.timedelta(days=1)).isoformat(),
    }

    async def figure(name: str, dims: list[str] | None = None) -> dict:
        return data(
            await graphql.execute(
                FIGURE, {"name": name, "dims": dims or [], **period}, tenant=tenant
            ),
            "figure",
        )

    assert (await figure("handisitting.families_helped"))["total"] == 1
    hours = await figure("handisitting.sitting_hours", ["epci"])
    assert hours["total"] == 10.5  # three Wednesday afternoons of 3 h 30
    assert sum(c["value"] for c in hours["cells"]) == 10.5
    sitters = await figure("handisitting.active_sitters", ["background"])
    assert [(c["values"][0]["label"], c["value"]) for c in sitters["cells"] if c["value"]] == [
        ("Études médico-sociales", 1)
    ]
    unmatched = await figure("handisitting.unmatched_requests", ["reason"])
    assert [(c["values"][0]["code"], c["value"]) for c in unmatched["cells"] if c["value"]] == [
        ("no_sitter_area", 1)
    ]
    assert (await figure("handisitting.bookings", ["booking_status"]))["total"] == 1
