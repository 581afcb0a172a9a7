"""The referents' section of the pole's annual report (``maillage_report_sections``):
new referents per training session (with its dates) by place of work and by job, the map
of the whole network, the meetings of the year with their attendance, and how many
referents are behind on the charter's commitment to meet the pole.

Who is behind is counted by job, never named: the report goes to funders and, in its
published copy, online; the team finds the names on the referents' attendance screen.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import sdk
from plugins.referent_charters import service
from plugins.referent_charters.models import Attendance, Meeting
from plugins.referent_charters.vocabulary import JOB_LABELS, MEETING_KIND_LABELS, MeetingKind

NEW = "referent_charters.new_referents"
ALL = "referent_charters.referents"
SIGNATURES = "referent_charters.signatures"


async def _meetings(report: sdk.ReportScope) -> sdk.Table:
    period = report.period
    rows = await report.session.execute(
        select(Meeting.held_on, Meeting.title, Meeting.kind, func.count(Attendance.referent_id))
        .outerjoin(Attendance, Attendance.meeting_id == Meeting.id)
        .where(Meeting.held_on >= period.start, Meeting.held_on < period.end)
        .group_by(Meeting.id, Meeting.held_on, Meeting.title, Meeting.kind)
        .order_by(Meeting.held_on, Meeting.title)
    )
    lines = [
        (held_on.isoformat(), title, MEETING_KIND_LABELS[MeetingKind(kind)], int(present))
        for held_on, title, kind, present in rows
    ]
    return sdk.Table(
        "Rencontres des référents",
        (
            sdk.Column("Date", "date"),
            sdk.Column("Rencontre", "text"),
            sdk.Column("Type", "text"),
            sdk.Column("Référents présents", "count", persons=True),
        ),
        tuple(lines),
        # French takes the singular below 2: « 1 rencontre ».
        (
            "Total",
            f"{len(lines)} rencontre{'s' if len(lines) > 1 else ''}",
            None,
            sum(line[3] for line in lines),
        ),
    )


async def _behind(report: sdk.ReportScope) -> sdk.Table:
    expected = int(report.settings.get("meetings_per_year", 2))
    lines = await service.attendance_summary(report.session, year=report.year, expected=expected)
    by_job: dict[str, list[int]] = {}
    for line in lines:
        counts = by_job.setdefault(line.referent.job, [0, 0])
        counts[0] += 1
        counts[1] += line.behind
    labels = {kind.value: label for kind, label in JOB_LABELS.items()}
    rows = [
        (labels.get(job, job), total, behind)
        for job, (total, behind) in sorted(by_job.items(), key=lambda kv: labels.get(kv[0], kv[0]))
    ]
    return sdk.Table(
        f"Assiduité : référents ayant suivi moins de {expected} rencontres",
        (
            sdk.Column("Métier", "text"),
            sdk.Column("Référents", "count", persons=True),
            sdk.Column("En retard", "count", persons=True),
        ),
        tuple(rows),
        ("Total", sum(r[1] for r in rows), sum(r[2] for r in rows)),
        note=f"L'engagement de la charte : {expected} rencontres par année civile.",
    )


async def sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    return [
        sdk.ReportSection(
            "referent_charters",
            "Le réseau des référents handicap",
            200,
            (
                sdk.KeyFigures(
                    (
                        await report.key_figure(NEW, label="nouveaux référents formés"),
                        await report.key_figure(ALL, label="référents dans le réseau"),
                        await report.key_figure(SIGNATURES, label="chartes signées"),
                    )
                ),
                await report.table(
                    NEW,
                    ["training_session", "structure_kind"],
                    title="Nouveaux référents par session de formation et lieu d'exercice",
                ),
                await report.table(
                    NEW,
                    ["training_session", "job"],
                    title="Nouveaux référents par session de formation et métier",
                ),
                await report.map(
                    ALL,
                    "commune",
                    title=f"Les référents du réseau par commune, fin {report.year}",
                ),
                await _meetings(report),
                await _behind(report),
            ),
        )
    ]
