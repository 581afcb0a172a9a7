"""The annual activity report from the outside: a known year entered through GraphQL, then
``activityReport`` read as typed data, every one of its tables found again in the HTML
document, in the spreadsheet's cells and in the PDF's text; the published copy; no figure
of another pole; a disabled plugin's section absent; the statement count does not grow with
the number of children; the files' formats themselves (tagged A4 PDF, every page renders,
a Word file that opens)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import openpyxl
from sqlalchemy import event

from core.domain.report.cells import printed
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


NBSP = "\u202f"
SESSION = "Session d'hiver (du 12 janvier 2026 au 9 février 2026)"
# The known year's report (tests/report/year.py), every table as printed: 3 children
# followed in 2026 (Léo under 3 in Béthune, Inès 6 and Tom 13 in Lens; Zoé's follow-up
# closed in 2025), 3 requests (one with two subjects), 3 interventions, one kit lent (20,5 km
# each way), 3 sessions, one satisfaction questionnaire (request 4 and 2, intervention 3, 4
# and 1, staff 4: « satisfied » is 3 or 4), two funders, 3 referents (two at the meeting).
KNOWN_YEAR: dict[str, list[list[str]]] = {
    "Enfants suivis par tranche d'âge": [
        ["Moins de 3 ans", "1", "33,3 %"],
        ["6 à 11 ans", "1", "33,3 %"],
        ["12 ans et plus", "1", "33,3 %"],
        ["Total", "3", "100 %"],
    ],
    "Enfants suivis par profil des besoins": [
        ["Moteur", "1", "33,3 %"],
        ["Troubles du spectre de l'autisme", "1", "33,3 %"],
        ["Langage et communication", "1", "33,3 %"],
        ["Total", "3", "100 %"],
    ],
    "Enfants suivis par intercommunalité (EPCI)": [
        [CA_BETHUNE, "1", "33,3 %"],
        [CA_LENS, "2", "66,7 %"],
        ["Total", "3", "100 %"],
    ],
    f"Données : Enfants suivis par intercommunalité (EPCI), {YEAR}": [
        [CA_BETHUNE, "1"],
        [CA_LENS, "2"],
    ],
    "Demandes reçues par origine de la demande": [
        ["Famille", "2", "66,7 %"],
        ["EAJE (crèche)", "1", "33,3 %"],
        ["Total", "3", "100 %"],
    ],
    # One request has two subjects: the rows add up to 4, the total counts it once.
    "Demandes reçues par objet de la demande": [
        ["Recherche d'un mode d'accueil", "1"],
        ["Matériel adapté", "1"],
        ["Démarches MDPH", "1"],
        ["Question d'un professionnel", "1"],
        ["Total", "3"],
    ],
    "Interventions par type d'intervention": [
        ["Observation sur site", "2", "66,7 %"],
        ["Visite à domicile", "1", "33,3 %"],
        ["Total", "3", "100 %"],
    ],
    "Interventions par type de structure": [["Non renseigné", "3"], ["Total", "3"]],
    "Prêts de malles par malle": [["Malle des émotions", "1"], ["Total", "1"]],
    "Prêts de malles par emprunteur": [["EAJE (crèche)", "1", "100 %"], ["Total", "1", "100 %"]],
    "Kilomètres parcourus pour les malles par malle": [
        ["Malle des émotions", "41"],
        ["Total", "41"],
    ],
    # Commune × duration × audience: a subtotal per commune, each duration over all
    # communes, the total.
    "Sessions par commune, durée et public": [
        ["Béthune", "½ journée", "1", "1", "2"],
        ["Béthune", "Total", "1", "1", "2"],
        ["Lens", "1 journée", "0", "1", "1"],
        ["Lens", "Total", "0", "1", "1"],
        ["Ensemble", "½ journée", "1", "1", "2"],
        ["Ensemble", "1 journée", "0", "1", "1"],
        ["Total", "—", "1", "2", "3"],
    ],
    "Participants par public": [
        ["Petite enfance", "12", "52,2 %"],
        ["Enfance-jeunesse", "11", "47,8 %"],
        ["Total", "23", "100 %"],
    ],
    "Événements par type": [["Total", "0"]],
    "Taux de satisfaction par dimension": [
        ["L'intervention", "66,7 %"],
        ["Les outils et l'équipe", "100 %"],
        ["Votre demande", "50 %"],
        ["Total", "66,7 %"],
    ],
    "Réponses par questionnaire": [["Questionnaire de satisfaction", "1"], ["Total", "1"]],
    "Adhésions par catégorie d'adhésion": [["Total", "0", "—"]],
    "Conventions de partenariat en vigueur": [["Total", "—", "—", "0 convention", "0,00 €"]],
    f"Financements {YEAR}": [
        ["Caisse d'allocations familiales", "Subvention", f"30{NBSP}000,00 €", "66,7 %"],
        ["Conseil départemental", "Subvention", f"15{NBSP}000,00 €", "33,3 %"],
        ["Total", "—", f"45{NBSP}000,00 €", "100 %"],
    ],
    "Nouveaux référents par session de formation et lieu d'exercice": [
        [SESSION, "2", "1", "3"],
        ["Total", "2", "1", "3"],
    ],
    "Nouveaux référents par session de formation et métier": [
        [SESSION, "2", "1", "3"],
        ["Total", "2", "1", "3"],
    ],
    f"Données : Les référents du réseau par commune, fin {YEAR}": [["Béthune", "1"], ["Lens", "2"]],
    "Rencontres des référents": [
        ["15/06/2026", "Rencontre de juin", "Réunion de suivi", "2"],
        ["Total", "1 rencontre", "—", "2"],
    ],
    "Assiduité : référents ayant suivi moins de 2 rencontres": [
        ["Assistant·e maternel·le", "1", "1"],
        ["Éducateur·rice de jeunes enfants (EJE)", "2", "2"],
        ["Total", "3", "3"],
    ],
    "Enfants suivis par commune": [
        ["Béthune", "1", "33,3 %"],
        ["Lens", "2", "66,7 %"],
        ["Total", "3", "100 %"],
    ],
    f"Données : Enfants suivis par commune, {YEAR}": [["Béthune", "1"], ["Lens", "2"]],
}
# The key figures as the summary prints them: label, this year, last year, the change.
KEY_FIGURES = [
    ("enfants suivis", "3", "2", "soit 1 de plus qu'en 2025"),
    ("demandes reçues", "3", "1", "soit 2 de plus qu'en 2025"),
    ("interventions", "3", "0", "soit 3 de plus qu'en 2025"),
    ("prêts de malles", "1", "0", "soit 1 de plus qu'en 2025"),
    ("sessions de sensibilisation", "3", "0", "soit 3 de plus qu'en 2025"),
]


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


def column_titles(data: dict) -> dict[str, list[str]]:
    """The column headings of every table of the report (not the maps')."""
    return {
        b["title"]: [c["title"] for c in b["columns"]]
        for s in data["sections"]
        for b in s["blocks"]
        if b["__typename"] == "ReportTable"
    }


def kinds(data: dict) -> dict[str, list[str]]:
    """What each column of every table holds (a map's data: the area's name, a count)."""
    found = {}
    for part in data["sections"]:
        for block in part["blocks"]:
            if block["__typename"] == "ReportTable":
                found[block["title"]] = [c["kind"] for c in block["columns"]]
            elif block["__typename"] == "ReportMap":
                found[f"Données : {block['title']}"] = ["text", "count"]
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


def _xlsx_text(value: Any, kind: str) -> str:
    """A spreadsheet cell as the other formats print it (a date cell is a date, an empty
    cell « — »), with the report's own rules (core/domain/report/cells.py)."""
    if isinstance(value, dt.datetime):
        value = value.date().isoformat()
    return printed(value, kind)


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

    summary = section(data, "key_figures")["blocks"][0]["figures"]
    assert [
        (f["label"], f["value"]["text"], f["previous"]["text"], f["sentence"]) for f in summary
    ] == KEY_FIGURES
    # Every table of the report, maps' data included, as entered (tests/report/year.py).
    assert tables(data) == KNOWN_YEAR
    assert column_titles(data)["Sessions par commune, durée et public"] == [
        "Commune",
        "Durée",
        "Petite enfance",
        "Enfance-jeunesse",
        "Total",
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
    column_kinds = kinds(data)
    html_text = html_lib.unescape(files["html"].decode("utf-8"))
    for title, rows in expected.items():
        if title not in flat and title.startswith("Données : "):
            # A map whose areas a table of its section already prints names that table
            # under the drawing instead of printing them twice (decision 203).
            map_title = title.removeprefix("Données : ")
            named = re.search(
                rf"<title [^>]*>{re.escape(map_title)}</title>.*?"
                r"Ses données : le tableau « (.*?) » ci-dessus",
                html_text,
                re.S,
            )
            assert named, title
            source = named.group(1)
            printed_rows = {r[0]: r[1] for r in flat[source]}
            assert {_flat(a): _flat(v) for a, v in rows}.items() <= printed_rows.items(), title
            assert _flat(f"Ses données : le tableau « {source} » ci-dessus") in pdf_text, title
        else:
            assert flat[title] == [[_flat(c) for c in row] for row in rows], title
            assert _flat(html_lib.unescape(title)) in pdf_text, title
        sheet = _xlsx_rows(book, title)
        assert len(sheet) == len(rows), title
        for printed_row, cells in zip(rows, sheet, strict=True):
            assert len(cells) >= len(printed_row), (title, cells)
            for kind, text, value in zip(column_kinds[title], printed_row, cells, strict=False):
                assert _xlsx_text(value, kind) == text, (title, text, value)
                if kind not in ("text", "date") and text != "—":
                    # Numbers stored as numbers (not their printed text).
                    assert isinstance(value, int | float), (title, text, value)
        for row in rows:
            for text in row:
                assert _flat(text) in pdf_text, (title, text)

    # The key figures: in the PDF's text as printed, in the spreadsheet's summary as numbers.
    for label, now, _before, said in KEY_FIGURES:
        assert _flat(f"{now} {label}, {said}") in pdf_text, label
    summary_sheet = {
        row[0]: row[1:3]
        for row in book["Sommaire"].iter_rows(values_only=True)
        if isinstance(row[0], str)
    }
    for label, now, before, _said in KEY_FIGURES:
        assert summary_sheet[f"{label} (L'année en chiffres)"] == (int(now), int(before)), label

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
    assert table(data, "Sessions par commune, durée et public")[-1] == ["Total", "—", "1", "2", "3"]
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
