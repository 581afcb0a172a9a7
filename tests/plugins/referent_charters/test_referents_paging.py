"""The list of referents pages to its last one (decision 216): it stopped at the first
hundred. Each page of 50 is walked by its « Référent·es suivant·es » link, as a person
would, and every referent is met once. Through the real app's pages."""

from __future__ import annotations

from typing import Any

from tests.plugins.crowded import walk
from tests.plugins.referent_charters.operations import record_session, register

REFERENTS = 60


async def test_the_referents_are_listed_to_the_last(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "referent_charters")
    session = await record_session(graphql, tenant)
    for i in range(REFERENTS):
        await register(graphql, tenant, session["id"], lastName=f"Zz{i:03d}")
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))

    seen = await walk(
        graphql.http, headers, "/referents", r"<td>Claire (Zz\d{3})</td>", "Référent·es suivant·es"
    )
    assert sorted(seen) == [f"Zz{i:03d}" for i in range(REFERENTS)]
