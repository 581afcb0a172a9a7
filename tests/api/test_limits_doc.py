"""docs/limits.md says what the code enforces, and every stored text has a limit."""

from __future__ import annotations

from sqlalchemy import String

from core.app.limits_doc import DOC, render
from core.db.base import Base
from core.db.limits import text_limit
from core.plugins.host import PluginHost
from core.settings import Settings


def test_docs_limits_is_generated_from_the_code() -> None:
    host = PluginHost.from_settings(Settings())  # the plugins' tables are listed too
    assert DOC.read_text(encoding="utf-8") == render(host), (
        "docs/limits.md is stale: run `python -m core.app.limits_doc --write`"
    )


def test_every_text_column_declares_its_limit() -> None:
    host = PluginHost.from_settings(Settings())
    # Core's and the installed plugins' tables: a test's own plugin (tests/plugin_system)
    # may have added its models to the same metadata earlier in this process.
    owners = {"core", *host.plugins}
    unbounded = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        if table.info.get("maillage_owner") in owners
        for column in table.columns
        if isinstance(column.type, String) and text_limit(column) is None
    ]
    assert unbounded == [], "give them String(n) or Text with info=max_chars(n)"
