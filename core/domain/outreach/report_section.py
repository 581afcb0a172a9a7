"""The outreach section of the annual report: sensitisation sessions (commune × duration ×
audience, with a subtotal per commune, the durations over all communes and the total),
participants, events (core/domain/outreach/figures.py)."""

from __future__ import annotations

from core.plugins.report_scope import ReportScope
from core.plugins.sections import KeyFigures, ReportSection

SESSIONS = "outreach.sessions"
PARTICIPANTS = "outreach.participants"
EVENTS = "outreach.events"
PEOPLE = "outreach.people_reached"


async def sections(report: ReportScope) -> list[ReportSection]:
    return [
        ReportSection(
            "outreach",
            "Sensibilisations et événements",
            60,
            (
                KeyFigures(
                    (
                        await report.key_figure(SESSIONS, label="sessions de sensibilisation"),
                        await report.key_figure(PARTICIPANTS, label="participants"),
                        await report.key_figure(EVENTS, label="événements"),
                        await report.key_figure(PEOPLE, label="personnes rencontrées"),
                    )
                ),
                await report.table(
                    SESSIONS,
                    ["commune", "duration", "audience"],
                    title="Sessions par commune, durée et public",
                ),
                await report.table(
                    PARTICIPANTS, ["audience"], title="Participants par public", percent=True
                ),
                await report.table(EVENTS, ["event_kind"], title="Événements par type"),
            ),
        )
    ]
