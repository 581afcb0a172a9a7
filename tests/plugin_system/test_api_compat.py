"""Plugin API 1.1 only adds to 1.0: a plugin generated for 1.0 (the scaffold as it was,
``api_version="1.0"``) still starts, joins the schema and serves its namespace on this
core; referent_charters (written for 1.0) passes its contract unchanged in
tests/plugins."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from core import sdk
from core.app.schema import build_schema
from core.cli.scaffold import scaffold_plugin
from core.plugins.host import PluginHost


def test_a_plugin_written_for_1_0_starts_and_joins_the_schema(tmp_path: Path) -> None:
    assert sdk.API_VERSION == "1.1"
    folder = scaffold_plugin("ancienne", tmp_path, title="Ancienne", description="API 1.0.")
    init = folder / "maillage_ancienne" / "__init__.py"
    source = init.read_text(encoding="utf-8")
    assert 'api_version="1.1"' in source
    init.write_text(source.replace('api_version="1.1"', 'api_version="1.0"'), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module("maillage_ancienne")
        host = PluginHost.start(entry_points=False, extra=[module])
        assert host.manifest("ancienne").api_version == "1.0"  # type: ignore[union-attr]
        schema = build_schema(host)
        assert schema.get_type_by_name("AncienneQuery") is not None
        assert "ancienne: AncienneQuery" in schema.as_str()
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.startswith("maillage_ancienne")]:
            del sys.modules[name]


def test_every_name_added_since_1_0_is_exported_and_1_0_names_remain() -> None:
    added = {name for names in sdk.ADDED_IN.values() for name in names}
    assert added <= set(sdk.__all__)
    # The 1.0 surface, as referent_charters and the 1.0 scaffold use it, is still there.
    for name in (
        "Plugin",
        "hookimpl",
        "TenantScoped",
        "tenant_fk",
        "plugin_namespace",
        "plugin_mutation",
        "requires",
        "person_field",
        "CommuneNode",
        "PageView",
    ):
        assert name in sdk.__all__ and name not in added
