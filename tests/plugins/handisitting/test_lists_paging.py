"""The handisitting lists page to their last item (decision 216): the families' requests and
the sitters stopped at their first hundred. Each page of 50 is walked by its « suivantes »
link, as a person would, and every item is met once. Through the real app's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.plugins.crowded import walk
from tests.plugins.handisitting.operations import (
    APPLY,
    families,
    ok,
    pole,
    request_for,
    sitter_input,
)

REQUESTS, SITTERS = 60, 55


async def test_the_requests_and_the_sitters_are_listed_to_the_last(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    tenant = await pole(make_tenant, enable_plugin)
    family = (await families(graphql, tenant))[0]
    for day in range(REQUESTS):
        await request_for(graphql, tenant, family, first_on=dt.date(2027, 1, 1) + dt.timedelta(day))
    commune = family["commune"]["inseeCode"]
    for i in range(SITTERS):
        answer = await graphql.execute(
            APPLY,
            {"input": sitter_input(commune, tag=f"s{i}", lastName=f"Zz{i:03d}")},
            tenant=tenant,
        )
        ok(answer, "handisittingApply")
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))

    requests = await walk(
        graphql.http,
        headers,
        "/handisitting/demandes",
        r'<a href="(/handisitting/demande\?[^"]+)">',
        "Demandes suivantes",
    )
    assert len(requests) == len(set(requests)) == REQUESTS
    sitters = await walk(
        graphql.http,
        headers,
        "/handisitting",
        r'<a href="(/handisitting/intervenant\?[^"]+)">',
        "Intervenant·es suivant·es",
    )
    assert len(sitters) == len(set(sitters)) == SITTERS
