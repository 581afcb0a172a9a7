"""Issue 17's « done when », run as the operator would: on the demo database the test suite
builds (``maillage demo setup``, tests/live.py), one command per pole —
``maillage report build --pole … --year 2025`` — writes the 2025 report of each demo pole
in the four formats, and each file has the pole's plugin sections (Puy-de-Dôme: the
referents and the UDAF workshops; Pas-de-Calais: handisitting and the SNU days), its charts
and the map of the children followed by EPCI with its data."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.live import demo_environment, demo_setup, run_cli
from tests.pdf import read

YEAR = 2025
FORMATS = ("html", "pdf", "xlsx", "docx")
CORE = ("L'année en chiffres", "Les enfants accompagnés", "Les financeurs")
EPCI_MAP = f"Enfants suivis par intercommunalité (EPCI), {YEAR}"
# The sections each demo pole's enabled plugins add (tenants/*.toml).
PLUGINS = {
    "puy-de-dome": ("Le réseau des référents handicap", "Ateliers parentalité avec l'UDAF"),
    "pas-de-calais": (
        "Handisitting : la garde à domicile",
        "Journées de sensibilisation des volontaires du SNU",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each demo pole's 2025 report, one command each: pole → format → file."""
    workdir = tmp_path_factory.mktemp("demo")
    env = demo_environment(workdir)
    demo_setup(env, workdir)
    files: dict[str, dict[str, Path]] = {}
    for pole in PLUGINS:
        out = workdir / pole
        out.mkdir()
        said = run_cli(
            env, "report", "build", "--pole", pole, "--year", str(YEAR), "--output", str(out)
        )
        paths = [Path(line) for line in said.splitlines()]
        files[pole] = {p.suffix.lstrip("."): p for p in paths}
        assert sorted(files[pole]) == sorted(FORMATS), said
    return files


@pytest.mark.parametrize("pole", list(PLUGINS))
def test_a_demo_pole_gets_its_2025_report_in_four_formats_with_its_plugins_and_map(
    built: dict[str, dict[str, Path]], pole: str
) -> None:
    files = built[pole]
    sections = (*CORE, *PLUGINS[pole])
    others = [title for other, titles in PLUGINS.items() if other != pole for title in titles]

    html = files["html"].read_text(encoding="utf-8").replace("&#39;", "'")
    for title in sections:
        assert f">{title}</h2>" in html, title
    assert not [t for t in others if t in html]  # a plugin the pole has not enabled
    # The EPCI map: an SVG image titled, with coloured areas titled each, then its data.
    svg = re.search(
        rf'<svg [^>]*role="img"[^>]*><title [^>]*>{re.escape(EPCI_MAP)}</title>.*?</svg>',
        html,
        re.S,
    )
    assert svg is not None, "no EPCI map"
    assert len(re.findall(r"<path [^>]*fill=\"#(?!f0f0f0)[0-9a-f]{6}\"", svg[0])) >= 2
    # Its data: the section's table of children by EPCI, named under the drawing
    # (decision 203), not printed a second time.
    assert (
        "Ses données : le tableau « Enfants suivis par intercommunalité (EPCI) » ci-dessus" in html
    )
    assert f"Données : {EPCI_MAP}" not in html
    assert html.count('role="img"') >= 3  # charts and maps

    pdf = read(files["pdf"].read_bytes())
    text = " ".join(pdf.text.split())
    assert pdf.tagged and pdf.is_a4() and pdf.pages > 5
    for title in (*sections, "Enfants suivis par intercommunalité (EPCI)"):
        assert title in text, title
    assert "Fond de carte : IGN" in text  # the map drawn in the PDF, its legend as text

    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"].read_bytes()))
    subtitles = {sheet["A2"].value for sheet in book.worksheets}
    assert set(PLUGINS[pole]) <= subtitles
    epci = next(s for s in book.worksheets if s["A1"].value == f"Données : {EPCI_MAP}")
    counts = [row[1] for row in epci.iter_rows(min_row=5, values_only=True) if row[0]]
    assert counts and all(isinstance(c, int) and c > 0 for c in counts)

    word = docx.Document(io.BytesIO(files["docx"].read_bytes()))
    headings = {p.text for p in word.paragraphs if p.style.name.startswith("Heading")}
    assert set(sections) <= headings
    assert any(p.text.startswith(EPCI_MAP) for p in word.paragraphs)
