"""The annual activity report of one pole and year: its sections (core's features' and the
enabled plugins', ``maillage_report_sections``), the team's written texts, and — for the
published copy — small counts of persons hidden. What every format renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.api.documents import Letterhead
from core.domain.letterhead.service import letterhead
from core.domain.report.markdown import to_html
from core.domain.report.publication import published
from core.domain.report.service import READ, check_year, list_narratives
from core.plugins.host import PluginHost
from core.plugins.report_scope import collect_sections
from core.plugins.sections import NarrativeSlot, ReportSection
from core.plugins.state import list_states
from core.tenancy.config import TENANT_SETTINGS
from core.tenancy.models import Tenant

THRESHOLD = "report_publication_threshold"


@dataclass(frozen=True)
class NarrativeText:
    """A written section as printed: its title, its sanitised HTML and who wrote it."""

    kind: str
    title: str
    body: str
    body_html: str
    updated_at: dt.datetime
    author_user_id: object | None


@dataclass(frozen=True)
class ActivityReport:
    year: int
    pole: str
    departement: str
    letterhead: Letterhead
    sections: tuple[ReportSection, ...]
    narratives: dict[str, tuple[NarrativeText, ...]]
    published: bool
    threshold: int

    @property
    def main(self) -> tuple[ReportSection, ...]:
        return tuple(s for s in self.sections if not s.annex)

    @property
    def annexes(self) -> tuple[ReportSection, ...]:
        return tuple(s for s in self.sections if s.annex)

    @property
    def copy_label(self) -> str:
        if self.published:
            return f"Copie publiée : effectifs de moins de {self.threshold} personnes masqués"
        return "Copie destinée aux financeurs"


def threshold_of(tenant: Tenant) -> int:
    settings = tenant.settings if isinstance(tenant.settings, dict) else {}
    value = settings.get(THRESHOLD, TENANT_SETTINGS[THRESHOLD].default)
    return int(value)


def _written(section: ReportSection, narratives: dict[str, tuple[NarrativeText, ...]]) -> bool:
    """A section made only of narrative slots prints when the team wrote one of them."""
    slots = [b for b in section.blocks if isinstance(b, NarrativeSlot)]
    if len(slots) != len(section.blocks):
        return True
    return any(narratives.get(slot.kind) for slot in slots)


async def build_report(
    host: PluginHost,
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    year: int,
    *,
    publish: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ActivityReport:
    """The pole's report for ``year`` (``report.read``), in the pole's scoped session."""
    caller.require(READ)
    check_year(year)
    states = await list_states(host, session)
    enabled = frozenset(s.manifest.name for s in states if s.enabled)
    pole_settings = tenant.settings if isinstance(tenant.settings, dict) else {}
    if progress:
        progress("sections")
    sections = tuple(
        await collect_sections(
            host,
            session,
            year=year,
            departement=tenant.departement_code,
            enabled=enabled,
            pole_settings=pole_settings,
            plugin_settings={s.manifest.name: s.settings for s in states},
        )
    )
    if progress:
        progress("textes")
    narratives: dict[str, list[NarrativeText]] = {}
    for row in await list_narratives(session, caller, year):
        narratives.setdefault(row.kind, []).append(
            NarrativeText(
                row.kind, row.title, row.body, to_html(row.body), row.updated_at, row.author_user_id
            )
        )
    texts = {kind: tuple(rows) for kind, rows in narratives.items()}
    sections = tuple(s for s in sections if _written(s, texts))
    threshold = threshold_of(tenant)
    if publish:
        sections = published(sections, threshold)
    head = await letterhead(session, tenant)
    return ActivityReport(
        year=year,
        pole=tenant.name,
        departement=tenant.departement_code,
        letterhead=head,
        sections=sections,
        narratives=texts,
        published=publish,
        threshold=threshold,
    )


def with_sections(report: ActivityReport, sections: tuple[ReportSection, ...]) -> ActivityReport:
    return replace(report, sections=sections)
