"""``maillage_report_sections``: a plugin written against ``core.sdk`` only contributes
sections built from its figure definitions; a pole that did not enable it never calls it;
a wrong key or a failure is confined to the plugin's own section."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import literal, select

from core import sdk
from core.plugins.host import PluginHost
from core.plugins.report_scope import FAILED, collect_sections
from core.tenancy.database import Database
from tests.conftest import make_tenant

OUTINGS = sdk.Dimension("outing", "Sortie", labels={"farm": "Ferme", "zoo": "Zoo"})


def _facts(scope: sdk.FigureScope) -> Any:
    # Ten families to the farm and three to the zoo: constant facts, any pole, any year
    # from 2025 on (a figure without a table of its own, to test the section alone).
    farm = [
        select(literal(f"f{i}").label("unit"), literal("farm").label("outing")) for i in range(10)
    ]
    zoo = [select(literal(f"z{i}").label("unit"), literal("zoo").label("outing")) for i in range(3)]
    rows = farm + zoo if scope.period.start >= dt.date(2025, 1, 1) else farm[:4]
    first, *rest = rows
    return first.union_all(*rest).subquery().select()


def sample(name: str, sections: Any) -> ModuleType:
    module = ModuleType(name)
    module.manifest = sdk.Plugin(  # type: ignore[attr-defined]
        name=name,
        version="1.0.0",
        api_version="1.1",
        title=f"Module {name}",
        description="Module de test.",
        default_enabled=False,
    )
    spec = sdk.IndicatorSpec(
        f"{name}.outings",
        "Familles parties en sortie",
        "familles",
        dimensions=(OUTINGS,),
        facts=_facts,
        counts_persons=True,
    )
    module.maillage_indicators = sdk.hookimpl(lambda: [spec])  # type: ignore[attr-defined]
    module.maillage_report_sections = sdk.hookimpl(sections)  # type: ignore[attr-defined]
    return module


async def _good(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    table = await report.table("sorties.outings", ["outing"], percent=True)
    return [
        sdk.ReportSection(
            "sorties",
            "Sorties familiales",
            220,
            (
                sdk.KeyFigures((await report.key_figure("sorties.outings"),)),
                table,
                report.bars(table),
                sdk.Paragraph(f"Réglage : {report.settings.get('note', 'aucun')}"),
            ),
        )
    ]


def _bad_key(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    return [sdk.ReportSection("children", "Une clé du cœur", 220)]


def _raises(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    raise RuntimeError("bug du module")


async def _sections(host: PluginHost, db: Database, tenant: Any, enabled: set[str]) -> Any:
    async with db.session(tenant.id) as session:
        return await collect_sections(
            host,
            session,
            year=2025,
            departement="62",
            enabled=enabled,
            pole_settings={},
            plugin_settings={"sorties": {"note": "mercredi"}},
        )


@pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
async def test_an_enabled_plugin_contributes_its_section_from_its_figures(db: Database) -> None:
    host = PluginHost.start(allow=[], extra=[sample("sorties", _good)])
    pole = await make_tenant(db, "62")

    sections = await _sections(host, db, pole, {"sorties"})
    mine = next(s for s in sections if s.key == "sorties")
    key_figures, table, chart, paragraph = mine.blocks
    assert key_figures.figures == (
        sdk.KeyFigure("Familles parties en sortie", 13, "familles", previous=4, persons=True),
    )
    assert key_figures.figures[0].change == 9
    assert [c.title for c in table.columns] == ["Sortie", "familles", "%"]
    assert table.rows == (("Ferme", 10, 76.9), ("Zoo", 3, 23.1))
    assert table.total == ("Total", 13, 100.0)
    assert chart.categories == ("Ferme", "Zoo") and chart.series[0].values == (10, 3)
    assert paragraph == sdk.Paragraph("Réglage : mercredi")
    # Sections print by order: the plugin's (220) after core's.
    assert sections.index(mine) == len([s for s in sections if not s.annex]) - 1

    disabled = await _sections(host, db, pole, set())
    assert "sorties" not in {s.key for s in disabled}


@pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
async def test_a_wrong_key_or_a_failure_stays_in_the_plugins_own_section(db: Database) -> None:
    pole = await make_tenant(db, "62")
    for faulty in (_bad_key, _raises):
        host = PluginHost.start(allow=[], extra=[sample("sorties", faulty)])
        sections = await _sections(host, db, pole, {"sorties"})
        failed = [s for s in sections if s.key == "sorties"]
        assert [(s.title, s.blocks) for s in failed] == [
            ("Module sorties", (sdk.Paragraph(FAILED),))
        ]
        assert "children" not in {s.key for s in sections if s.title == "Une clé du cœur"}


def test_the_model_refuses_what_a_renderer_could_not_print() -> None:
    with pytest.raises(ValueError, match="colonnes"):
        sdk.Table("T", (sdk.Column("A", "text"), sdk.Column("n")), (("x",),))
    with pytest.raises(ValueError, match="clé"):
        sdk.ReportSection("Sorties!", "T", 1)
    with pytest.raises(TypeError, match="bloc inconnu"):
        sdk.ReportSection("sorties", "T", 1, ("<p>html</p>",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="incomplète"):
        sdk.Chart("T", "D", ("a", "b"), (sdk.Series("s", (1,)),))
    assert str(sdk.Hidden(5)) == "< 5"
    assert sdk.KeyFigure("x", sdk.Hidden(5), previous=3).change is None
