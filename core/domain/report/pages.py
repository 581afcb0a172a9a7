"""The annual report's screen in the web app (``/rapport?annee=2026``, ``&copie=publiee``
for the published copy): the year's sections through the named operation
``ActivityReport`` (graphql/operations/ActivityReport.graphql) — the same typed data an
integrator reads — with its downloads (HTML, PDF, XLSX, DOCX), and for those who may
write it, the links to the year's texts and funding (core/domain/report/writing_pages.py)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response

from core.api.forms import year_param
from core.api.pages import PageView
from core.contributions import NavEntry, Page, PageContribution
from core.domain.report import writing_pages
from core.domain.report.service import READ, WRITE

TEMPLATES = Path(__file__).with_name("templates")


async def report_page(view: PageView) -> Response:
    year = year_param(view)
    published = view.request.query_params.get("copie") == "publiee"
    answer = await view.run("ActivityReport", year=year, published=published)
    return view.render(
        "report/page.html",
        title=f"Rapport d'activité {year}",
        year=year,
        report=(answer.data or {}).get("activityReport"),
        errors=answer.errors,
        can_write=view.can(WRITE),
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page("/rapport", report_page, action=READ, operations=("ActivityReport",)),
            *writing_pages.pages(),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [NavEntry("Rapport d'activité", "/rapport", action=READ, order=90)]
