"""The plugin's figures: sessions, young people reached (present), answers by phase and
the share of right answers before and after, from answers given through the quiz's own
service (the public pages' path)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.plugins.snu_sessions.operations import answered_day, payload

FIGURE = """
query($name: String!, $dims: [String!], $year: Int!) {
  figure(name: $name, year: $year, dimensions: $dims) {
    total cells { values { dimension code label } value }
  }
}
"""


async def _figure(graphql: Any, tenant: Any, name: str, *dims: str) -> dict[str, Any]:
    year = dt.date.today().year
    result = await graphql.execute(
        FIGURE, {"name": name, "dims": list(dims), "year": year}, tenant=tenant
    )
    return payload(result, "figure")


async def test_the_days_figures(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    await answered_day(graphql, tenant, maillage_db)

    assert (await _figure(graphql, tenant, "snu_sessions.sessions"))["total"] == 1
    reached = await _figure(graphql, tenant, "snu_sessions.young_people", "commune")
    assert reached["total"] == 28
    assert [c["values"][0]["label"] for c in reached["cells"]] == ["Calais"]
    answers = await _figure(graphql, tenant, "snu_sessions.answers", "phase")
    assert answers["total"] == 9
    assert {c["values"][0]["code"]: c["value"] for c in answers["cells"]} == {
        "before": 5,
        "after": 4,
    }
    right = await _figure(graphql, tenant, "snu_sessions.right_answers", "phase")
    shares = {c["values"][0]["label"]: c["value"] for c in right["cells"]}
    assert shares == {"Avant la journée": 0.4, "Après la journée": 0.8}
    assert right["total"] == round((10 + 16) / 45, 4)  # core rounds a mean to 4 places
