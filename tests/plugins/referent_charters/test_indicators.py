"""The plugin's figures: numbers for the period, cells with code and label, and the
breakdowns by job, structure kind, training session and place."""

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
    name total countsPersons breakdown { code label value }
  }
}
"""

FIGURE = """
query($dims: [String!]) {
  figure(name: "referent_charters.new_referents", year: 2026, dimensions: $dims) {
    total cells { values { dimension code label } value }
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
            "countsPersons": True,
            "breakdown": [
                {
                    "code": "eje",
                    "label": "Éducateur·rice de jeunes enfants (EJE)",
                    "value": 1.0,
                },
                {"code": "childminder", "label": "Assistant·e maternel·le", "value": 1.0},
            ],
        },
        {
            "name": "referent_charters.signatures",
            "total": 1.0,
            "countsPersons": False,
            "breakdown": [
                {
                    "code": "eaje",
                    "label": "Établissement d'accueil du jeune enfant (EAJE)",
                    "value": 1.0,
                }
            ],
        },
    ]
    before = await graphql.execute(
        INDICATORS, {"start": "2025-01-01", "end": "2026-01-01"}, tenant=tenant
    )
    assert [(i["total"], i["breakdown"]) for i in payload(before, "indicators")] == [
        (0.0, []),
        (0.0, []),
    ]

    by_session = await graphql.execute(
        FIGURE, {"dims": ["training_session", "structure_kind"]}, tenant=tenant
    )
    table = payload(by_session, "figure")
    assert table["total"] == 2
    assert [[v["label"] for v in c["values"]] + [c["value"]] for c in table["cells"]] == [
        [
            f"{session['title']} (du 9 mars 2026 au 13 avril 2026)",
            "Établissement d'accueil du jeune enfant (EAJE)",
            1,
        ],
        [
            f"{session['title']} (du 9 mars 2026 au 13 avril 2026)",
            "Accueil au domicile (assistant·e maternel·le)",
            1,
        ],
    ]
    by_place = payload(
        await graphql.execute(FIGURE, {"dims": ["commune"]}, tenant=tenant), "figure"
    )
    assert sum(c["value"] for c in by_place["cells"]) == 2
    assert "Clermont-Ferrand" in [c["values"][0]["label"] for c in by_place["cells"]]


async def test_indicators_are_not_offered_to_a_pole_without_the_plugin(make_tenant, graphql):
    tenant = await make_tenant("63")
    result = await graphql.execute(
        INDICATORS, {"start": "2026-01-01", "end": "2027-01-01"}, tenant=tenant
    )
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
