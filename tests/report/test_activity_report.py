"""The annual activity report from the outside: a known year entered through GraphQL, then
``activityReport`` read as typed data, every one of its tables found again in the HTML
document, in the spreadsheet's cells and in the PDF's text; the published copy; no figure
of another pole; a disabled plugin's section absent; the statement count does not grow with
the number of children; the files' formats themselves (tagged A4 PDF, every page renders,
a Word file that opens)."""

from __future__ import annotations

import html as html_lib
import io
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from sqlalchemy import event

from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.domain.test_figures import children as more_children
from tests.pdf import read
from tests.report.year import CA_BETHUNE, CA_LENS, YEAR, enter_year

EMPTY = "Aucune donnée pour l'année."
REPORT = """query($year: Int!, $published: Boolean!) {
  activityReport(year: $year, published: $published) {
    year published threshold copyLabel downloads { format label url }
    sections { key title annex blocks { __typename
      ... on ReportKeyFigures { figures { label value { value text hidden }
                                          previous { value text } sentence } }
      ... on ReportTable { title note columns { title kind persons }
        rows { cells { value text hidden } } total { cells { value text hidden } } }
      ... on ReportChart { title kind svg categories series { name values { text hidden } } }
      ... on ReportMap { title level svg areas { code name value { value text hidden } } }
      ... on ReportParagraph { text }
      ... on ReportNarrativeSlot { kind texts { title bodyHtml } } } } } }"""


async def report(
    client: GraphQLClient, pole: Any, *, published: bool = False, year: int = YEAR
) -> dict:
    result = await client.execute(REPORT, {"year": year, "published": published}, tenant=pole)
    assert "errors" not in result, result
    return result["data"]["activityReport"]


def section(data: dict, key: str) -> dict:
    return next(s for s in data["sections"] if s["key"] == key)


def tables(data: dict) -> dict[str, list[list[str]]]:
    """Every table of the report (maps' data included), as printed: title → rows of texts
    (the totals row last)."""
    found: dict[str, list[list[str]]] = {}
    for part in data["sections"]:
        for block in part["blocks"]:
            if block["__typename"] == "ReportTable":
                rows = [[c["text"] for c in r["cells"]] for r in block["rows"]]
                if block["total"]:
                    rows.append([c["text"] for c in block["total"]["cells"]])
                found[block["title"]] = rows
            elif block["__typename"] == "ReportMap":
                found[f"Données : {block['title']}"] = [
                    [a["name"], a["value"]["text"]] for a in block["areas"]
                ]
    return found


def table(data: dict, title: str) -> list[list[str]]:
    return tables(data)[title]


class _Tables(HTMLParser):
    """The HTML document's tables: caption → rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._caption is not None:
            self.tables[self._caption.strip()] = self._rows[1:]  # without the header row

    def handle_data(self, data: str) -> None:
        if self._in_caption and self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def _flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def _xlsx_rows(book: Any, title: str) -> list[list[str]]:
    sheet = next(s for s in book.worksheets if s["A1"].value == title)
    rows = []
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if all(v is None for v in row):
            break  # the note follows an empty row
        rows.append(list(row))
    return rows


def _rendered_pages(content: bytes, folder: Path) -> int:
    """pdfinfo says the PDF is tagged; pdftoppm renders every page without a word on
    standard error; the number of pages rendered."""
    path = folder / "rapport.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"Tagged:\s+yes", info.stdout)
    rendered = subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(path), str(folder / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rendered.returncode == 0 and rendered.stderr == ""
    return len(list(folder.glob("page-*.png")))


async def test_a_known_year_prints_the_same_tables_in_every_format(
    client: GraphQLClient, db: Database, two_poles: TwoPoles, tmp_path: Path
) -> None:
    # Pole B enters the very same year: pole A's report must not count any of it.
    await enter_year(client, two_poles.b, referents=False)
    await enter_year(client, two_poles.a)
    data = await report(client, two_poles.a)

    key = section(data, "key_figures")["blocks"][0]["figures"][0]
    assert (key["label"], key["value"]["value"], key["previous"]["value"]) == (
        "enfants suivis",
        3,
        2,
    )
    assert key["sentence"] == "soit 1 de plus qu'en 2025"
    assert table(data, "Enfants suivis par tranche d'âge") == [
        ["Moins de 3 ans", "1", "33,3 %"],
        ["6 à 11 ans", "1", "33,3 %"],
        ["12 ans et plus", "1", "33,3 %"],
        ["Total", "3", "100 %"],
    ]
    assert table(data, "Enfants suivis par intercommunalité (EPCI)") == [
        [CA_BETHUNE, "1", "33,3 %"],
        [CA_LENS, "2", "66,7 %"],
        ["Total", "3", "100 %"],
    ]
    assert table(data, "Demandes reçues par origine de la demande") == [
        ["Famille", "2", "66,7 %"],
        ["EAJE (crèche)", "1", "33,3 %"],
        ["Total", "3", "100 %"],
    ]
    assert table(data, "Interventions par type d'intervention")[:2] == [
        ["Observation sur site", "2", "66,7 %"],
        ["Visite à domicile", "1", "33,3 %"],
    ]
    assert table(data, "Sessions par commune et par public") == [
        ["Béthune", "1", "1", "2"],
        ["Lens", "0", "1", "1"],
        ["Total", "1", "2", "3"],
    ]
    assert table(data, "Participants par public")[-1] == ["Total", "23", "100 %"]
    assert table(data, "Prêts de malles par emprunteur") == [
        ["EAJE (crèche)", "1", "100 %"],
        ["Total", "1", "100 %"],
    ]
    assert table(data, "Réponses par questionnaire")[-1] == ["Total", "1"]
    assert table(data, "Nouveaux référents par session de formation et lieu d'exercice") == [
        ["Session d'hiver (du 12 janvier 2026 au 9 février 2026)", "2", "1", "3"],
        ["Total", "2", "1", "3"],
    ]
    assert table(data, "Rencontres des référents") == [
        ["15/06/2026", "Rencontre de juin", "Réunion de suivi", "2"],
        ["Total", "1 rencontres", "—", "2"],
    ]
    assert table(data, "Financements 2026") == [
        ["Caisse d'allocations familiales", "Subvention", "30\u202f000,00 €", "66,7 %"],
        ["Conseil départemental", "Subvention", "15\u202f000,00 €", "33,3 %"],
        ["Total", "—", "45\u202f000,00 €", "100 %"],
    ]
    outlook = section(data, "outlook")["blocks"][0]["texts"][0]
    assert "<strong>permanence</strong>" in outlook["bodyHtml"]
    maps = [b for s in data["sections"] for b in s["blocks"] if b["__typename"] == "ReportMap"]
    assert {m["level"] for m in maps} == {"epci", "commune"}
    assert all(m["svg"].startswith("<svg") and 'role="img"' in m["svg"] for m in maps)
    charts = [b for s in data["sections"] for b in s["blocks"] if b["__typename"] == "ReportChart"]
    assert charts and all("<title" in c["svg"] and "<desc" in c["svg"] for c in charts)
    # Sections in print order: core's, then the plugin's, the annexes last.
    keys = [s["key"] for s in data["sections"]]
    assert keys.index("children") < keys.index("referent_charters") < keys.index("outlook")
    assert keys[-1] in {s["key"] for s in data["sections"] if s["annex"]}
    assert [d["format"] for d in data["downloads"]] == ["html", "pdf", "xlsx", "docx"]

    expected = tables(data)
    headers = await client.auth_headers(two_poles.a)
    files = {}
    for fmt in ("html", "pdf", "xlsx", "docx"):
        answer = await client.http.get(f"/reports/activity/{YEAR}.{fmt}", headers=headers)
        assert answer.status_code == 200, answer.text
        files[fmt] = answer.content

    parser = _Tables()
    parser.feed(files["html"].decode("utf-8"))
    flat = {
        title: [[_flat(c) for c in row] for row in rows if row != [EMPTY]]
        for title, rows in parser.tables.items()
    }
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    facts = read(files["pdf"])
    pdf_text = _flat(facts.text)
    for title, rows in expected.items():
        assert flat[title] == [[_flat(c) for c in row] for row in rows], title
        sheet = _xlsx_rows(book, title)
        assert len(sheet) == len(rows), title
        for printed, cells in zip(rows, sheet, strict=True):
            for text, value in zip(printed, cells, strict=False):
                if isinstance(value, int | float):
                    # Numbers stored as numbers: the printed text is that number.
                    digits = re.sub(r"[^\d,]", "", text).replace(",", ".")
                    assert float(digits) == pytest.approx(value, abs=0.05), (title, text, value)
                elif text not in ("—",):
                    assert str(value) == text or value is not None, (title, text, value)
        assert _flat(html_lib.unescape(title)) in pdf_text, title
        for row in rows:
            for text in row:
                assert _flat(text) in pdf_text, (title, text)

    assert facts.tagged and facts.struct_tree and facts.is_a4()
    assert facts.title == f"Rapport d'activité {YEAR} — {two_poles.a.name}"
    assert all(embedded for embedded in facts.fonts.values())
    assert "Sommaire" in pdf_text and "Annexes" in pdf_text
    assert _rendered_pages(files["pdf"], tmp_path) == facts.pages

    word = docx.Document(io.BytesIO(files["docx"]))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Les enfants accompagnés" in headings and "Annexes" in headings
    word_tables = {t.rows[0].cells[0].text for t in word.tables}
    assert "Tranche d'âge" in word_tables


async def test_the_published_copy_hides_small_counts_of_persons(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    await enter_year(client, two_poles.a)
    data = await report(client, two_poles.a, published=True)
    assert data["published"] and data["threshold"] == 5
    assert data["copyLabel"].startswith("Copie publiée")
    # Children are persons: 1, 1, 1 and the total 3 print « < 5 », their shares too.
    assert table(data, "Enfants suivis par tranche d'âge") == [
        ["Moins de 3 ans", "< 5", "masqué"],
        ["6 à 11 ans", "< 5", "masqué"],
        ["12 ans et plus", "< 5", "masqué"],
        ["Total", "< 5", "100 %"],
    ]
    key = section(data, "children")["blocks"][0]["figures"][0]
    assert key["value"] == {"value": None, "text": "< 5", "hidden": True}
    assert key["sentence"] == ""
    # Sessions are not persons (printed), their participants are: 12 and 11 stay, the
    # session of 3 participants does not exist as a cell here (by audience), so nothing
    # else is hidden. Requests each come from one family or about one child: counted
    # as persons (decision 211), the 2 requests of families print « < 5 ».
    assert table(data, "Sessions par commune et par public")[-1] == ["Total", "1", "2", "3"]
    assert table(data, "Participants par public")[-1] == ["Total", "23", "100 %"]
    assert table(data, "Demandes reçues par origine de la demande")[0] == [
        "Famille",
        "< 5",
        "masqué",
    ]
    areas = [
        a["value"]
        for s in data["sections"]
        for b in s["blocks"]
        if b["__typename"] == "ReportMap"
        for a in b["areas"]
    ]
    assert areas and all(a["hidden"] and a["value"] is None for a in areas)
    # The numbers behind « < 5 » are in no download of the published copy.
    headers = await client.auth_headers(two_poles.a)
    page = await client.http.get(f"/reports/activity/{YEAR}.html?copie=publiee", headers=headers)
    assert "Copie publiée" in page.text
    shown = _Tables()
    shown.feed(page.text)
    assert shown.tables["Enfants suivis par tranche d'âge"][0] == [
        "Moins de 3 ans",
        "< 5",
        "masqué",
    ]
    sheet = await client.http.get(f"/reports/activity/{YEAR}.xlsx?copie=publiee", headers=headers)
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    rows = _xlsx_rows(book, "Enfants suivis par tranche d'âge")
    assert rows[0] == ["Moins de 3 ans", "< 5", "masqué"]


async def test_a_disabled_plugin_has_no_section_and_strangers_read_nothing(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    from core.access.actions import Actor

    await enter_year(client, two_poles.b, referents=False)
    data = await report(client, two_poles.b)
    assert not any(s["key"].startswith("referent_charters") for s in data["sections"])
    family = Actor(subject="test:report-parent", display_name="Parent", roles=frozenset())
    refused = await client.execute(
        REPORT, {"year": YEAR, "published": False}, tenant=two_poles.b, actor=family
    )
    assert refused["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}
    bad = await client.execute(REPORT, {"year": 1850, "published": False}, tenant=two_poles.b)
    extensions = bad["errors"][0]["extensions"]
    assert (extensions["code"], extensions.get("field")) == ("VALIDATION", "year")
    anonymous = await client.http.get(f"/reports/activity/{YEAR}.pdf")
    assert anonymous.status_code == 401


async def test_statements_do_not_grow_with_the_number_of_children(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    measured = []
    for _ in range(2):
        await more_children(db, pole)  # five more children, three followed in 2025
        await client.auth_headers(pole)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            result = await client.execute(REPORT, {"year": 2025, "published": False}, tenant=pole)
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        assert "errors" not in result, result
    assert measured[0] == measured[1], measured
