"""The family's monthly hours statement (for its CESU or PCH paperwork), on the
platform's document pipeline: over HTTP, its HTML under the pole's letterhead and the
same HTML as a PDF; sittings done only, by month and sitter, with the year's total; a
read audited; a sitter, another pole or an unknown request get nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from tests.plugins.handisitting.operations import (
    SITTING,
    approved_sitter,
    booked,
    families,
    ok,
    request_for,
    today,
)


async def test_the_statement_counts_the_sittings_done_by_month(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    [family, *_] = await families(graphql, tenant)
    home = family["commune"]["inseeCode"]
    sitter = await approved_sitter(graphql, tenant, home)
    start = today() - dt.timedelta(days=14)
    request = await request_for(graphql, tenant, family, first_on=start, weeks=2)
    booking = await booked(graphql, tenant, request, sitter, agreed_on=start - dt.timedelta(days=1))
    done = [s for s in booking["sittings"] if s["on"] < today().isoformat()]
    for s in done:
        ok(
            await graphql.execute(
                SITTING, {"input": {"sittingId": s["id"], "status": "done"}}, tenant=tenant
            ),
            "handisittingRecordSitting",
        )
    path = f"/plugins/handisitting/releves/{request['id']}"
    headers = await graphql.auth_headers(tenant)

    year = start.year  # the first sitting's, done: never an empty statement
    html = await graphql.http.get(f"{path}.html?annee={year}", headers=headers)
    assert html.status_code == 200 and html.headers["cache-control"] == "no-store"
    text = html.text
    assert "Relevé des heures de garde à domicile" in text and family["name"] in text
    assert "Camille Verdonck" in text
    hours = sum(3.5 for s in done if s["on"][:4] == str(year))
    assert f"{hours:.2f}".replace(".", ",") in text  # the year's total, « 7,00 »

    printed = await graphql.http.get(f"{path}.pdf?annee={year}", headers=headers)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF-")
    assert printed.headers["content-type"] == "application/pdf"

    async with maillage_db.session(tenant.id) as session:
        reads = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "handisitting.read_hours_statement")
            )
        ).all()
    assert len(reads) == 2

    # Another year: an empty statement, said so.
    empty = await graphql.http.get(f"{path}.html?annee=2001", headers=headers)
    assert "Aucune garde faite en 2001" in empty.text

    sitter_actor = Actor(subject="test:sitter-hours", display_name="I", roles=frozenset({"sitter"}))
    refused = await graphql.http.get(
        f"{path}.html", headers=await graphql.auth_headers(tenant, sitter_actor)
    )
    assert refused.status_code == 403
    other = await make_tenant("62")
    await enable_plugin(other, "handisitting")
    assert (
        await graphql.http.get(f"{path}.html", headers=await graphql.auth_headers(other))
    ).status_code == 404
    assert (
        await graphql.http.get("/plugins/handisitting/releves/pas-un-id.html", headers=headers)
    ).status_code == 404
    assert (
        await graphql.http.get(f"{path}.html?annee=deux-mille", headers=headers)
    ).status_code == 400
