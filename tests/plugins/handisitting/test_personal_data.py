"""Personal data: a family's requests and bookings go with its export and erasure;
a sitter's data is exported whole and erased (the hours stay, without a name); the
retention purge erases sitters idle beyond it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugins.handisitting import personal_data
from tests.plugins.handisitting.operations import (
    TODAY,
    approved_sitter,
    booked,
    data,
    families,
    ok,
    request_for,
)

EXPORT_FAMILY = "query($f: ID!) { familyDataExport(familyId: $f) { data } }"
ERASE_FAMILY = """mutation($f: ID!) { eraseFamilyData(input: {familyId: $f,
  receivedOn: "2026-11-03", requester: "guardian"}) {
  request { status counts } errors { code field message } } }"""
EXPORT_SITTER = """mutation($s: ID!) { handisittingExportSitter(sitterId: $s) {
  data errors { code field message } } }"""
ERASE_SITTER = """mutation($s: ID!) { handisittingEraseSitter(sitterId: $s) {
  sitter { firstName lastName email documents { size downloadPath } }
  errors { code field message } } }"""
REQUESTS = "{ handisitting { requests { totalCount } } }"


async def test_family_and_sitter_data_are_exported_and_erased(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    dpo = make_actor("coordinator", grants=["gdpr.manage"])
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    request = await request_for(graphql, tenant, family, first_on=TODAY, weeks=1)
    await booked(graphql, tenant, request, sitter, agreed_on=TODAY)

    exported = str(
        data(
            await graphql.execute(EXPORT_FAMILY, {"f": family["id"]}, tenant=tenant, actor=dpo),
            "familyDataExport",
        )
    )
    assert "Autiste, emploi du temps visuel" in exported and "Garde convenue" in exported

    sitter_data = ok(
        await graphql.execute(EXPORT_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingExportSitter",
    )["data"]
    assert sitter_data["Identité"]["Nom"] == "Verdonck"
    assert len(sitter_data["Gardes"]) == 2 and len(sitter_data["Pièces"]) == 2

    erased = ok(
        await graphql.execute(ERASE_SITTER, {"s": sitter["id"]}, tenant=tenant),
        "handisittingEraseSitter",
    )
    assert (
        erased["sitter"]["lastName"] == "Effacé·e" and "verdonck" not in erased["sitter"]["email"]
    )
    assert all(d["size"] == 0 and d["downloadPath"] is None for d in erased["sitter"]["documents"])

    ok(
        await graphql.execute(ERASE_FAMILY, {"f": family["id"]}, tenant=tenant, actor=dpo),
        "eraseFamilyData",
    )
    assert data(await graphql.execute(REQUESTS, tenant=tenant), "handisitting", "requests") == {
        "totalCount": 0
    }


async def test_retention_erases_idle_sitters_only(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    family = (await families(graphql, tenant))[0]
    await approved_sitter(graphql, tenant, family["commune"]["inseeCode"])
    async with maillage_db.session(tenant.id) as session:
        now = await personal_data.purge(session, today=TODAY, retention_months=24, actor="test")
        later = await personal_data.purge(
            session, today=TODAY + dt.timedelta(days=1100), retention_months=24, actor="test"
        )
        await session.commit()
    assert now == {"documents": 0, "sitters": 0}
    assert later == {"documents": 2, "sitters": 1}
