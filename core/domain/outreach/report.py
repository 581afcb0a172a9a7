"""The printable outreach tables (HTML to print, PDF with ReportLab), as they go into the
pole's activity report: sessions by commune × audience × duration, events by commune ×
kind, with every total. Aggregates only: no person's name appears."""

from __future__ import annotations

import datetime as dt
import io
from html import escape
from typing import Any

from core.domain.outreach.service import Cell, Table
from core.domain.outreach.vocabulary import (
    AUDIENCES,
    EVENT_KINDS,
    SESSION_KINDS,
    duration_label,
)


def _period(table: Table) -> str:
    last = table.end - dt.timedelta(days=1)
    if (table.start.month, table.start.day) == (1, 1) and table.end == table.start.replace(
        year=table.start.year + 1
    ):
        return f"Année {table.start.year}"
    return f"Du {table.start:%d/%m/%Y} au {last:%d/%m/%Y}"


def _cell(cell: Cell) -> str:
    return f"{cell.count} ({cell.people})" if cell.count else "—"


def session_grid(table: Table) -> list[list[str]]:
    """Header, one line per commune × audience, then the column totals."""
    header = ["Commune", "Public"] + [duration_label(int(c)) for c in table.columns] + ["Total"]
    lines = [header]
    for row in table.rows:
        lines.append(
            [row.commune_name, AUDIENCES[row.key]]
            + [_cell(c) for c in row.cells]
            + [_cell(row.total)]
        )
    lines.append(["Total", ""] + [_cell(c) for c in table.column_totals] + [_cell(table.total)])
    return lines


def event_grid(table: Table) -> list[list[str]]:
    header = ["Commune"] + [EVENT_KINDS[str(c)] for c in table.columns] + ["Total"]
    lines = [header]
    for row in table.rows:
        lines.append([row.commune_name] + [_cell(c) for c in row.cells] + [_cell(row.total)])
    lines.append(["Total"] + [_cell(c) for c in table.column_totals] + [_cell(table.total)])
    return lines


def kind_lines(table: Table) -> list[list[str]]:
    lines = [["Type de sensibilisation", "Séances", "Participants"]]
    for kind, label in SESSION_KINDS.items():
        if kind in table.by_kind:
            cell = table.by_kind[kind]
            lines.append([label, str(cell.count), str(cell.people)])
    return lines


SESSIONS_TITLE = "Sensibilisations et formations"
SESSIONS_NOTE = "Dans chaque case : nombre de séances (nombre de participants)."
EVENTS_TITLE = "Événements et présentations"
EVENTS_NOTE = "Dans chaque case : nombre d'événements (personnes touchées)."


def render_html(pole: str, sessions: Table, events: Table) -> str:
    def grid(lines: list[list[str]]) -> str:
        head = "".join(f"<th>{escape(c)}</th>" for c in lines[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in line) + "</tr>" for line in lines[1:]
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    return "".join(
        [
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">',
            f"<title>{escape(SESSIONS_TITLE)} — {escape(pole)}</title>",
            "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
            "color:#1b1b1b}h1{font-size:1.5rem}h2{font-size:1.1rem}table{border-collapse:"
            "collapse;margin:.5rem 0 1rem}th,td{border:1px solid #bbb;padding:.25rem .5rem}"
            "td:not(:first-child){text-align:right}tbody tr:last-child{font-weight:bold}"
            ".meta{color:#555}@media print{body{margin:0}}</style></head><body>",
            f'<h1>{escape(pole)}</h1><p class="meta">{escape(_period(sessions))}</p>',
            f'<h2>{SESSIONS_TITLE}</h2><p class="meta">{escape(SESSIONS_NOTE)}</p>',
            grid(session_grid(sessions)),
            grid(kind_lines(sessions)),
            f'<h2>{EVENTS_TITLE}</h2><p class="meta">{escape(EVENTS_NOTE)}</p>',
            grid(event_grid(events)),
            "</body></html>",
        ]
    )


def render_pdf(pole: str, sessions: Table, events: Table) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as Grid

    styles = getSampleStyleSheet()

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    def grid(lines: list[list[str]], totals: bool = True) -> Grid:
        made = Grid(lines, repeatRows=1)
        made.setStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                *([("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")] if totals else []),
            ]
        )
        return made

    story: list[Any] = [
        para(pole, "Title"),
        para(_period(sessions), "Italic"),
        para(SESSIONS_TITLE, "Heading2"),
        para(SESSIONS_NOTE, "Italic"),
        grid(session_grid(sessions)),
        Spacer(1, 12),
        grid(kind_lines(sessions), totals=False),
        para(EVENTS_TITLE, "Heading2"),
        para(EVENTS_NOTE, "Italic"),
        grid(event_grid(events)),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=f"{SESSIONS_TITLE} — {pole}", author="maillage"
    ).build(story)
    return buffer.getvalue()
