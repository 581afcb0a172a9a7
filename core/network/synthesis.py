"""The network's yearly synthesis: a document on the one pipeline (Jinja2 → HTML →
WeasyPrint PDF, core/api/documents), built from the comparison the page shows — for
each figure of the catalogue, each pole's latest published value of the year per
10,000 inhabitants, the total of the published cells (marked incomplete), and the
hidden cells with the reason the network reads (decision 181)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from core.api.documents import DocumentTemplates, Letterhead
from core.contributions import IndicatorSpec
from core.network import outputs

TEMPLATES = DocumentTemplates(Path(__file__).with_name("templates"))


@dataclass(frozen=True)
class SynthesisSection:
    code: str
    title: str
    description: str
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    hidden: list[str]
    chart: Markup | None


def section(
    code: str, found: dict[str, Any], specs: Mapping[str, IndicatorSpec]
) -> SynthesisSection:
    spec = specs.get(code)
    title = spec.title if spec is not None else code
    rows = found.get("rows") or []
    hidden = [
        f"{row['pole']['name']} ({outputs.note(row['years'][-1])})"
        for row in rows
        if row["years"][-1]["value"] is None and row["years"][-1]["published"]
    ]
    return SynthesisSection(
        code=code,
        title=title,
        description=spec.description if spec is not None else "",
        rows=rows,
        total=(found.get("totals") or [{}])[-1],
        hidden=hidden,
        chart=outputs.bars_chart(found, title, f"graphique-{code.replace('.', '-')}"),
    )


def render(network: dict[str, Any], year: int, sections: list[SynthesisSection]) -> str:
    return TEMPLATES.render(
        "documents/synthesis.html",
        letterhead=Letterhead(name=str(network.get("name") or "Réseau national")),
        network=network,
        year=year,
        sections=sections,
    )
