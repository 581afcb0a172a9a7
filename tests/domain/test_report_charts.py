"""The report's charts: well-formed SVG that names itself, every bar and point titled,
values printed (a chart reads without colour), hidden counts outlined, not to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from core.api.documents.charts import OKABE_ITO, Bar, bar_chart, line_chart, sentence

SVG = "{http://www.w3.org/2000/svg}"


def _texts(root: ET.Element, tag: str) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}{tag}")]


def test_a_bar_chart_names_itself_and_every_bar():
    bars = [Bar("moins de 3 ans", 12), Bar("de 3 à 6 ans", 30), Bar("plus de 6 ans", 3, "< 5")]
    svg = bar_chart(
        bars, title="Enfants suivis par âge", description=sentence(bars, "enfants"), unit="enfants"
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    titles = _texts(root, "title")
    assert titles[0] == "Enfants suivis par âge"
    assert "moins de 3 ans : 12 enfants" in titles
    assert "plus de 6 ans : < 5" in titles
    assert _texts(root, "desc") == [
        "moins de 3 ans : 12 enfants ; de 3 à 6 ans : 30 enfants ; plus de 6 ans : < 5 enfants."
    ]
    printed = _texts(root, "text")
    assert "30 enfants" in printed and "< 5" in printed
    filled = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == OKABE_ITO[0]]
    widths = [float(r.get("width") or 0) for r in filled]
    # The hidden count is not drawn to scale: two bars, the longest the largest.
    assert len(widths) == 2 and widths[1] > widths[0]


def test_a_line_chart_marks_every_year_of_every_series():
    svg = line_chart(
        {"Suivis": {2022: 31, 2023: 39, 2025: 49}, "Demandes": {2023: 80, 2024: 95, 2025: 120}},
        title="Évolution",
        description="De 31 suivis en 2022 à 49 en 2025.",
        unit="",
    )
    root = ET.fromstring(svg)
    titles = _texts(root, "title")
    assert "Suivis, 2025 : 49 " in titles
    assert "Demandes, 2024 : 95 " in titles
    years = {t for t in _texts(root, "text") if t.isdigit() and len(t) == 4}
    assert years == {"2022", "2023", "2024", "2025"}
    # Two series: two colours and a legend naming both.
    assert {p.get("stroke") for p in root.iter(f"{SVG}polyline")} == set(OKABE_ITO[:2])
    assert {"Suivis", "Demandes"} <= set(_texts(root, "text"))


def test_empty_charts_still_render():
    assert ET.fromstring(line_chart({}, title="t", description="d")).get("role") == "img"
    assert ET.fromstring(bar_chart([], title="t", description=sentence([])))
    assert sentence([]) == "Aucune donnée."
