"""What the network's comparison becomes for people: its charts (SVG, the report's
drawing, core/api/documents/charts.py), its CSV and its XLSX. Each reads the answer of
``networkComparison`` as the page received it (the named operation's JSON), so the
page, the downloads and the synthesis document show the same numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

from markupsafe import Markup

from core.api.documents.charts import Bar, bar_chart, line_chart, sentence
from core.api.documents.sheets import workbook
from core.plugins.sections import Cell, Column, Table

UNIT = "pour 10 000 habitants"
MAX_LINES = 7
"""A line per pole reads up to seven poles (the palette's seven colours)."""
NOT_PUBLISHED = "non publiée"


def note(cell: dict[str, Any]) -> str:
    """Why a pole's year has no value: hidden (and the reason the network reads), or
    not published."""
    if cell["value"] is not None:
        return ""
    if not cell["published"]:
        return NOT_PUBLISHED
    return f"masquée : {cell['reason']}" if cell["reason"] else "masquée"


def title(found: dict[str, Any], coords: str = "") -> str:
    place = f" [{coords}]" if coords else ""
    years = found.get("years") or []
    span = f"{years[0]} à {years[-1]}" if len(years) > 1 else f"{years[0]}" if years else ""
    return f"{found.get('figure', '')}{place}, {span}"


def bars_chart(found: dict[str, Any], figure_title: str, element_id: str) -> Markup | None:
    """The last year's values per 10,000 inhabitants, one bar per pole (largest first),
    a hidden or unpublished value outlined and said in words."""
    years = found.get("years") or []
    if not years or not found.get("rows"):
        return None
    year = years[-1]
    bars = []
    for row in found["rows"]:
        cell = row["years"][-1]
        label = row["pole"]["name"]
        if cell["per10000"] is not None:
            bars.append(Bar(label, float(cell["per10000"])))
        else:
            bars.append(Bar(label, 0.0, shown=note(cell).split(" : ")[0]))
    bars.sort(key=lambda b: (b.shown is not None, -b.value, b.label))
    heading = f"{figure_title} : {year}, {UNIT}"
    return Markup(
        bar_chart(
            bars,
            title=heading,
            description=f"{heading}. {sentence(bars, unit='')}",
            width=720,
            element_id=element_id,
        )
    )


def lines_chart(found: dict[str, Any], figure_title: str, element_id: str) -> Markup | None:
    """Each pole's value per 10,000 inhabitants over the years, when there are several
    years and at most seven poles (a peer group); a hidden year is a gap in words."""
    years = found.get("years") or []
    rows = found.get("rows") or []
    if len(years) < 2 or not rows or len(rows) > MAX_LINES:
        return None
    series = {
        row["pole"]["name"]: {
            c["year"]: float(c["per10000"]) for c in row["years"] if c["per10000"] is not None
        }
        for row in rows
    }
    series = {name: values for name, values in series.items() if values}
    if not series:
        return None
    missing = [
        f"{row['pole']['name']} {c['year']} : {note(c)}"
        for row in rows
        for c in row["years"]
        if c["value"] is None
    ]
    said = "; ".join(
        f"{name} : " + ", ".join(f"{y} {str(v).replace('.', ',')}" for y, v in values.items())
        for name, values in series.items()
    )
    heading = f"{figure_title} : évolution {years[0]}–{years[-1]}, {UNIT}"
    description = f"{heading}. {said}."
    if missing:
        description += f" Sans valeur : {'; '.join(missing)}."
    return Markup(
        line_chart(series, title=heading, description=description, width=720, element_id=element_id)
    )


def _rows(found: dict[str, Any]) -> list[tuple[Cell, ...]]:
    out: list[tuple[Cell, ...]] = []
    for row in found.get("rows") or []:
        for cell in row["years"]:
            out.append(
                (
                    row["pole"]["name"],
                    row["pole"]["departementCode"],
                    cell["year"],
                    cell["value"],
                    cell["population"],
                    cell["per10000"],
                    None if cell["change"] is None else round(cell["change"] * 100, 1),
                    note(cell),
                )
            )
    return out


def _totals(found: dict[str, Any]) -> list[tuple[Cell, ...]]:
    return [
        (
            t["year"],
            t["value"],
            t["population"],
            t["per10000"],
            t["poles"],
            "incomplet : des cases sont masquées ou non publiées" if t["incomplete"] else "",
        )
        for t in found.get("totals") or []
    ]


COLUMNS = (
    Column("Pôle", "text"),
    Column("Département", "text"),
    Column("Année", "text"),
    Column("Valeur", "count"),
    Column("Population", "count"),
    Column("Pour 10 000 habitants", "number"),
    Column("Évolution", "percent"),
    Column("Note", "text"),
)
TOTAL_COLUMNS = (
    Column("Année", "text"),
    Column("Total des cases publiées", "count"),
    Column("Population des pôles comptés", "count"),
    Column("Pour 10 000 habitants", "number"),
    Column("Pôles comptés", "count"),
    Column("Note", "text"),
)


def xlsx(found: dict[str, Any], coords: str = "") -> bytes:
    """Two sheets: each pole's years (a hidden value is the text « masquée : reason »,
    never a number), and the yearly totals of the published cells, marked incomplete."""
    heading = title(found, coords)
    group = found.get("peerGroup")
    subtitle = (
        f"Groupe de pairs de {group['pole']['name']} : {group['rule']}"
        if group
        else "Tous les pôles du réseau"
    )
    return workbook(
        [
            ("Pôles", subtitle, Table(heading, COLUMNS, tuple(_rows(found)))),
            (
                "Totaux",
                subtitle,
                Table(
                    f"{heading} : total des cases publiées",
                    TOTAL_COLUMNS,
                    tuple(_totals(found)),
                    note="Un total incomplet ne compte que les cases publiées : c'est un minimum.",
                ),
            ),
        ]
    )


def _decimal(value: Any) -> str:
    return "" if value is None else str(value).replace(".", ",")


def csv_text(found: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["pôle", "département", "année", "valeur", "pour 10 000 habitants", "évolution", "note"]
    )
    for row in found.get("rows") or []:
        for cell in row["years"]:
            writer.writerow(
                [
                    row["pole"]["name"],
                    row["pole"]["departementCode"],
                    cell["year"],
                    "" if cell["value"] is None else cell["value"],
                    _decimal(cell["per10000"]),
                    _decimal(cell["change"]),
                    note(cell),
                ]
            )
    for total in found.get("totals") or []:
        writer.writerow(
            [
                "Total des cases publiées",
                "",
                total["year"],
                total["value"],
                _decimal(total["per10000"]),
                "",
                "incomplet : des cases sont masquées ou non publiées"
                if total["incomplete"]
                else "",
            ]
        )
    return "\ufeff" + out.getvalue()
