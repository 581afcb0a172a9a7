"""The pole's annual report shows the handisitting section, built from the plugin's
figures over the demo data; a pole that did not enable the plugin has none."""

from __future__ import annotations

from typing import Any

from core import sdk
from core.plugins.report_scope import collect_sections
from plugins.handisitting import seed
from tests.plugins.handisitting.operations import today


async def test_the_report_has_the_handisitting_section(
    make_tenant: Any, enable_plugin: Any, maillage_db: Any, maillage_host: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    async with maillage_db.session(tenant.id) as session:
        await seed.seed(tenant, session)
        await session.commit()

    async def sections(enabled: set[str]) -> list[sdk.ReportSection]:
        async with maillage_db.session(tenant.id) as session:
            return await collect_sections(
                maillage_host,
                session,
                year=today().year,
                departement="62",
                enabled=enabled,
                pole_settings={},
                plugin_settings={"handisitting": {}},
            )

    found = {s.key: s for s in await sections({"handisitting"})}
    section = found["handisitting"]
    assert section.title == "Handisitting : la garde à domicile"
    key_figures = section.blocks[0]
    assert [f.label for f in key_figures.figures][:2] == [
        "Familles aidées par le handisitting",
        "Heures de garde à domicile",
    ]
    tables = [b for b in section.blocks if isinstance(b, sdk.Table)]
    assert [t.title.split(" par ")[0] for t in tables] == [
        "Heures de garde à domicile",
        "Intervenant·es actif·ves",
        "Demandes restées sans garde",
    ]
    # The demo's three Wednesday afternoons of 3 h 30 (when they fall in this year).
    assert tables[0].total is not None
    assert "handisitting" not in {s.key for s in await sections(set())}
