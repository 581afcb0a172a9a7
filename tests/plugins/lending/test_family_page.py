"""The plugin's panel on core's family page, in process (the browser suite shows it in
Chromium): shown to a pole that enabled the plugin, gone when it disables it; a panel
that breaks while rendering leaves the page and the other panels standing; a panel
naming a template or a slot that does not exist stops startup."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from core import sdk
from core.app.app import create_app
from core.plugins.host import PluginHost, PluginStartupError
from core.settings import Settings
from tests.plugins.lending import plugin
from tests.plugins.lending.test_core_entities import LEND, _families, _pole

BROKEN = Path(__file__).with_name("broken_templates")
FAILED = "Cette partie n'a pas pu s'afficher"


def panel_plugin(name: str, panel: sdk.Panel, templates: Path | None = BROKEN) -> ModuleType:
    """A second plugin showing a panel on the family's page (its operation is the
    lending plugin's: operations are shared by name)."""
    module = ModuleType(f"tests.plugins.lending.{name}")
    module.manifest = sdk.Plugin(  # type: ignore[attr-defined]
        name=name, version="1.0.0", api_version="1.1", title=name, description="Panneau de test."
    )

    @sdk.hookimpl
    def maillage_pages() -> sdk.PageContribution:
        return sdk.PageContribution(templates=templates)

    @sdk.hookimpl
    def maillage_panels() -> list[sdk.Panel]:
        return [panel]

    module.maillage_pages = maillage_pages  # type: ignore[attr-defined]
    module.maillage_panels = maillage_panels  # type: ignore[attr-defined]
    return module


BROKEN_PANEL = panel_plugin(
    "panneau_casse",
    sdk.Panel("family", "Panneau cassé", "LendingFamilyLoans", "broken/panel.html", order=10),
)


@pytest.fixture
def maillage_plugins() -> list[object]:
    return [plugin, BROKEN_PANEL]


async def _page(graphql: Any, tenant: Any, family_id: str) -> str:
    answer = await graphql.http.get(
        f"/familles/{family_id}", headers=await graphql.auth_headers(tenant)
    )
    assert answer.status_code == 200, answer.text[-2000:]
    return str(answer.text)


async def test_the_panel_follows_the_plugins_state_and_a_broken_one_breaks_nothing(
    make_tenant: Any, enable_plugin: Any, graphql: Any
) -> None:
    pole = await _pole(make_tenant, enable_plugin)
    family = (await _families(graphql, pole))[0]
    lent = await graphql.execute(
        LEND, {"f": family["id"], "item": "Planche à roulettes"}, tenant=pole
    )
    assert lent["data"]["lendingRecordLoan"]["errors"] == []

    html = await _page(graphql, pole, family["id"])
    assert "Matériel prêté" in html and "Planche à roulettes" in html
    assert "Panneau cassé" not in html  # not enabled by this pole

    await enable_plugin(pole, "panneau_casse")
    html = await _page(graphql, pole, family["id"])
    assert "Panneau cassé" in html and FAILED in html
    assert "Planche à roulettes" in html  # the other panel still shows

    await enable_plugin(pole, "lending", enabled=False)
    await enable_plugin(pole, "panneau_casse", enabled=False)
    html = await _page(graphql, pole, family["id"])
    assert "Matériel prêté" not in html and "Planche à roulettes" not in html


@pytest.mark.parametrize(
    ("panel", "expected"),
    [
        (
            sdk.Panel("family", "Sans gabarit", "LendingFamilyLoans", "absent/panel.html"),
            "gabarit introuvable absent/panel.html",
        ),
        (
            sdk.Panel("family", "Sans opération", "LendingFamilyLon", "broken/panel.html"),
            "opération inconnue LendingFamilyLon",
        ),
        (
            sdk.Panel("structure", "Ailleurs", "LendingFamilyLoans", "broken/panel.html"),
            "emplacement inconnu 'structure'",
        ),
    ],
)
def test_a_panel_that_cannot_work_stops_startup(
    panel: sdk.Panel, expected: str, maillage_settings: Settings
) -> None:
    faulty = panel_plugin("panneau_faux", panel)
    with pytest.raises(PluginStartupError) as info:
        host = PluginHost.start(entry_points=False, extra=[plugin, faulty])
        create_app(maillage_settings, None, host)  # type: ignore[arg-type]
    assert "panneau_faux" in info.value.message and expected in info.value.message
