"""docs/plugins.md documents every hook and every fixture an integrator gets."""

from __future__ import annotations

import re
from pathlib import Path

from core.plugins.hookspecs import MaillageSpecs

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def test_every_hookspec_has_its_section_in_the_plugin_guide() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### (maillage_\w+)", text, re.M))
    specs = {name for name in dir(MaillageSpecs) if name.startswith("maillage_")}
    assert specs - documented == set(), "hooks missing from docs/plugins.md"
    assert documented - specs == set(), "docs/plugins.md documents hooks that do not exist"


def test_the_guide_names_the_fixtures_of_the_pytest_plugin() -> None:
    text = DOC.read_text(encoding="utf-8")
    for fixture in (
        "maillage_plugins",
        "maillage_host",
        "maillage_db",
        "maillage_app",
        "make_tenant",
        "make_actor",
        "enable_plugin",
        "graphql",
        "plugin_contract",
    ):
        assert fixture in text, fixture


def _sdk_reference() -> dict[str, bool]:
    """Each name of section 8's tables → whether its line starts with *(1.1)*."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## 8. What `core.sdk` exports") :]
    rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", section, re.M)
    return {name: what.startswith("*(1.1)*") for name, what in rows}


def test_every_sdk_name_is_documented_once_with_its_version() -> None:
    from core import sdk

    documented = _sdk_reference()
    exported = set(sdk.__all__)
    assert exported - set(documented) == set(), "core.sdk names missing from section 8"
    assert set(documented) - exported == set(), "section 8 documents names core.sdk lacks"
    added = set(sdk.ADDED_IN["1.1"])
    marked = {name for name, new in documented.items() if new}
    assert marked == added, "the *(1.1)* marks of section 8 differ from sdk.ADDED_IN"
