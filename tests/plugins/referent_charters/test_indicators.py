"""The plugin's indicators: numbers for the period, broken down by code."""

from __future__ import annotations

from tests.plugins.referent_charters.operations import (
    CLERMONT,
    SIGN,
    ok,
    payload,
    publish,
    record_session,
    register,
)

INDICATORS = """
query($start: Date!, $end: Date!) {
  indicators(start: $start, end: $end,
             names: ["referent_charters.new_referents", "referent_charters.signatures"]) {
    name total breakdown { label value }
  }
}
"""


async def test_new_referents_and_signatures_in_the_period(make_tenant, enable_plugin, graphql):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "referent_charters")
    session = await record_session(graphql, tenant)  # ends on 2026-04-13
    eje = await register(graphql, tenant, session["id"])
    await register(
        graphql,
        tenant,
        session["id"],
        lastName="Bérangier",
        job="childminder",
        structureKind="domicile",
        structureName="",
        communeInsee=CLERMONT,
    )
    await publish(graphql, tenant)
    sign = {"referentId": eje["id"], "signedOn": "2026-04-13"}
    ok(
        await graphql.execute(SIGN, {"input": sign}, tenant=tenant),
        "referentChartersRecordSignature",
    )

    year = await graphql.execute(
        INDICATORS, {"start": "2026-01-01", "end": "2027-01-01"}, tenant=tenant
    )
    assert payload(year, "indicators") == [
        {
            "name": "referent_charters.new_referents",
            "total": 2.0,
            "breakdown": [
                {"label": "childminder", "value": 1.0},
                {"label": "eje", "value": 1.0},
            ],
        },
        {
            "name": "referent_charters.signatures",
            "total": 1.0,
            "breakdown": [{"label": "eaje", "value": 1.0}],
        },
    ]
    before = await graphql.execute(
        INDICATORS, {"start": "2025-01-01", "end": "2026-01-01"}, tenant=tenant
    )
    assert [(i["total"], i["breakdown"]) for i in payload(before, "indicators")] == [
        (0.0, []),
        (0.0, []),
    ]


async def test_indicators_are_not_offered_to_a_pole_without_the_plugin(make_tenant, graphql):
    tenant = await make_tenant("63")
    result = await graphql.execute(
        INDICATORS, {"start": "2026-01-01", "end": "2027-01-01"}, tenant=tenant
    )
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
