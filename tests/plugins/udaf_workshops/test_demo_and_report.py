"""The demo year (five workshops planned, one held, four cancelled for lack of
participants, the needs questionnaire sent after the held one and answered), seeded
once, read through the API and in the annual report's section — which a pole that did
not enable the plugin never gets, its data kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core import sdk
from core.plugins.report_scope import collect_sections
from plugins.udaf_workshops import seed
from plugins.udaf_workshops.models import Workshop
from tests.plugins.udaf_workshops.operations import CONVENTIONS, NEEDS_SUMMARY, payload

SENTENCE = "1 atelier maintenu sur les 5 prévus, faute de participants"


async def _sections(host: Any, db: Any, tenant: Any, enabled: set[str]) -> list[Any]:
    async with db.session(tenant.id) as session:
        return await collect_sections(
            host,
            session,
            year=seed.YEAR,
            departement="63",
            enabled=enabled,
            pole_settings={},
            plugin_settings={},
        )


async def test_the_demo_year_is_seeded_once_and_reported(
    make_tenant, enable_plugin, graphql, maillage_db, maillage_host
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    for _ in range(2):  # idempotent
        async with maillage_db.session(tenant.id) as session:
            await seed.maillage_seed(tenant, session)
            await session.commit()
    async with maillage_db.session(tenant.id) as session:
        assert await session.scalar(select(func.count()).select_from(Workshop)) == 5

    found = await graphql.execute(CONVENTIONS, {"year": seed.YEAR}, tenant=tenant)
    (convention,) = payload(found, "udafWorkshops")["conventions"]
    assert convention["outcome"]["summary"] == SENTENCE
    statuses = sorted(w["status"]["value"] for w in convention["workshops"])
    assert statuses == ["cancelled"] * 4 + ["held"]

    sections = await _sections(maillage_host, maillage_db, tenant, {"udaf_workshops"})
    mine = {s.key: s for s in sections if s.key.startswith("udaf_workshops")}
    main, detail = mine["udaf_workshops"], mine["udaf_workshops.workshops"]
    key_figures, paragraph, reasons, needs_text, needs_table = main.blocks
    assert [(f.label, f.value, f.persons) for f in key_figures.figures] == [
        ("ateliers maintenus", 1, False),
        ("parents venus", 14, True),
    ]
    assert isinstance(paragraph, sdk.Paragraph) and SENTENCE in paragraph.text
    assert "faute de participants : 4" in paragraph.text
    assert reasons.rows == (("Faute de participants", 4, 100.0),)
    assert detail.annex and len(detail.tables()[0].rows) == 5
    held = [r for r in detail.tables()[0].rows if r[3].startswith("Maintenu")]
    assert [r[4:] for r in held] == [(15, 14)]

    # The needs questionnaire: sent to the 12 families who came and left an address,
    # answered by 11 of them; pooled in the API, the report says it in a sentence and a
    # table of the themes, most asked first.
    summary = payload(
        await graphql.execute(NEEDS_SUMMARY, {"year": seed.YEAR}, tenant=tenant), "udafWorkshops"
    )["needsSummary"]
    assert summary["answers"] == 11 and summary["enough"]
    counts = [t["count"] for t in summary["themes"]]
    assert counts == sorted(counts, reverse=True) and len(counts) == 8
    assert summary["themes"][0]["share"] == round(100 * counts[0] / 11, 1)
    assert 1 <= summary["usefulnessMean"] <= 4 and 0 <= summary["childcareShare"] <= 100
    assert needs_text.text.startswith(
        "Ce que les familles demandent pour l'an prochain : 11 réponses au questionnaire"
    )
    top = summary["themes"][0]
    assert f"{top['label'][:1].lower()}{top['label'][1:]} ({top['count']})" in needs_text.text
    assert needs_table.title == "Ce que les familles demandent pour l'an prochain"
    assert needs_table.rows[0] == (top["label"], top["count"], top["share"])
    assert all(r[5] is None for r in detail.tables()[0].rows if r not in held)

    # Disabled: no section, no figures, the data kept.
    await enable_plugin(tenant, "udaf_workshops", enabled=False)
    sections = await _sections(maillage_host, maillage_db, tenant, set())
    assert not [s for s in sections if s.key.startswith("udaf_workshops")]
    refused = await graphql.execute(CONVENTIONS, {"year": seed.YEAR}, tenant=tenant)
    assert refused["errors"][0]["extensions"]["code"] == "PLUGIN_DISABLED"
    async with maillage_db.session(tenant.id) as session:
        assert await session.scalar(select(func.count()).select_from(Workshop)) == 5
