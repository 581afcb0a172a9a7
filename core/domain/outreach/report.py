"""The printable outreach tables (templates/documents/outreach_tables.html: HTML to
print, and the same HTML as PDF), as they go into the pole's activity report:
sessions by commune × audience × duration, events by commune × kind, with every
total. Aggregates only: no person's name appears."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.api.documents import LANDSCAPE, DocumentTemplates, Letterhead
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


TEMPLATES = DocumentTemplates(Path(__file__).with_name("templates"))


def render_html(letterhead: Letterhead, sessions: Table, events: Table) -> str:
    """The printed tables, landscape (the PDF is this HTML, core.api.documents.pdf)."""
    return TEMPLATES.render(
        "documents/outreach_tables.html",
        letterhead=letterhead,
        page_size=LANDSCAPE,
        period=_period(sessions),
        sessions_title=SESSIONS_TITLE,
        sessions_note=SESSIONS_NOTE,
        events_title=EVENTS_TITLE,
        events_note=EVENTS_NOTE,
        session_grid=session_grid(sessions),
        kind_lines=kind_lines(sessions),
        event_grid=event_grid(events),
    )
