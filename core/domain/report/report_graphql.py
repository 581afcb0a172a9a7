"""GraphQL: ``activityReport(year, published)`` — the pole's annual report as typed data
(its sections and their blocks), with the download links of its formats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller
from core.domain.report import service
from core.domain.report.builder import ActivityReport as Built
from core.domain.report.builder import NarrativeText, build_report
from core.domain.report.cells import change_sentence, printed
from core.domain.report.drawing import chart_svg, map_svg
from core.plugins import sections as model

FORMATS = (
    ("html", "Page HTML"),
    ("pdf", "PDF"),
    ("xlsx", "Tableur (XLSX)"),
    ("docx", "Traitement de texte (DOCX)"),
)


@strawberry.type(description="Une valeur du rapport : un nombre, un texte, ou un effectif masqué.")
class ReportCell:
    value: float | None = strawberry.field(
        description="Le nombre (nul pour un texte, une case vide ou un effectif masqué)."
    )
    text: str = strawberry.field(description="La valeur telle qu'imprimée (« 12,5 % », « < 5 »).")
    hidden: bool = strawberry.field(
        description="Effectif de personnes masqué dans la copie publiée."
    )

    @classmethod
    def of(cls, value: model.Cell, kind: str = "count") -> ReportCell:
        number = float(value) if isinstance(value, int | float) else None
        return cls(value=number, text=printed(value, kind), hidden=isinstance(value, model.Hidden))


@strawberry.type(description="Une colonne d'un tableau du rapport.")
class ReportColumn:
    title: str
    kind: str = strawberry.field(description="text, count, number, percent, amount ou date.")
    persons: bool = strawberry.field(description="Compte des personnes (masqué sous le seuil).")


@strawberry.type(description="Une ligne d'un tableau du rapport.")
class ReportRow:
    cells: list[ReportCell]


def _row(columns: tuple[model.Column, ...], row: tuple[model.Cell, ...]) -> ReportRow:
    return ReportRow(cells=[ReportCell.of(v, c.kind) for c, v in zip(columns, row, strict=True)])


@strawberry.type(description="Un tableau : en-têtes, lignes et ligne de total.")
class ReportTable:
    title: str
    columns: list[ReportColumn]
    rows: list[ReportRow]
    total: ReportRow | None
    note: str

    @classmethod
    def of(cls, block: model.Table) -> ReportTable:
        return cls(
            title=block.title,
            columns=[
                ReportColumn(title=c.title, kind=c.kind, persons=c.persons) for c in block.columns
            ],
            rows=[_row(block.columns, r) for r in block.rows],
            total=None if block.total is None else _row(block.columns, block.total),
            note=block.note,
        )


@strawberry.type(description="Un chiffre clé et sa comparaison avec l'année précédente.")
class ReportKeyFigure:
    label: str
    unit: str
    value: ReportCell
    previous: ReportCell = strawberry.field(description="La valeur de l'année précédente.")
    change: float | None = strawberry.field(description="Écart avec l'année précédente.")
    sentence: str = strawberry.field(description="« soit 10 de plus qu'en 2024 » (vide : inconnu).")
    persons: bool


@strawberry.type(description="Les chiffres clés d'une section.")
class ReportKeyFigures:
    figures: list[ReportKeyFigure]


@strawberry.type(description="Une série d'un graphique.")
class ReportSeries:
    name: str
    values: list[ReportCell]


@strawberry.type(description="Un graphique (SVG accessible) et ses données.")
class ReportChart:
    title: str
    description: str
    kind: str = strawberry.field(description="bars (barres) ou lines (évolution).")
    unit: str
    categories: list[str]
    series: list[ReportSeries]
    persons: bool
    element_id: strawberry.Private[str]
    block: strawberry.Private[model.Chart]

    @strawberry.field(description="Le graphique en SVG (titre, description, Okabe–Ito).")
    def svg(self) -> str:
        return chart_svg(self.block, self.element_id)


@strawberry.type(description="Une commune ou un EPCI d'une carte, avec sa valeur.")
class ReportArea:
    code: str
    name: str
    value: ReportCell


@strawberry.type(description="Une carte du département (SVG accessible) et ses données.")
class ReportMap:
    title: str
    description: str
    level: str = strawberry.field(description="commune ou epci.")
    unit: str
    areas: list[ReportArea]
    persons: bool
    element_id: strawberry.Private[str]
    departement: strawberry.Private[str]
    block: strawberry.Private[model.Map]

    @strawberry.field(description="La carte en SVG (vide : pas de contours pour ce département).")
    def svg(self) -> str:
        return map_svg(self.block, self.departement, self.element_id)


@strawberry.type(description="Un paragraphe de texte.")
class ReportParagraph:
    text: str


@strawberry.type(description="Un texte rédigé par l'équipe pour l'année.")
class ReportWrittenText:
    title: str
    body: str = strawberry.field(description="En Markdown, tel que saisi.")
    body_html: str = strawberry.field(description="Mis en forme et nettoyé.")
    updated_at: dt.datetime


@strawberry.type(description="L'emplacement des textes rédigés d'un type (news, stories…).")
class ReportNarrativeSlot:
    kind: str
    texts: list[ReportWrittenText]


ReportBlock = Annotated[
    ReportKeyFigures
    | ReportTable
    | ReportChart
    | ReportMap
    | ReportParagraph
    | ReportNarrativeSlot,
    strawberry.union("ReportBlock", description="Un bloc d'une section du rapport."),
]


@strawberry.type(name="ReportSection", description="Une section du rapport d'activité.")
class ReportSectionType:
    key: str
    title: str
    order: int
    annex: bool = strawberry.field(description="Imprimée dans les annexes.")
    blocks: list[ReportBlock]


@strawberry.type(description="Un format téléchargeable du rapport.")
class ReportDownload:
    format: str
    label: str
    url: str


@strawberry.type(description="Le rapport d'activité d'une année du pôle.")
class ActivityReport:
    year: int
    published: bool = strawberry.field(description="Copie publiée (petits effectifs masqués).")
    threshold: int = strawberry.field(description="Seuil de masquage de la copie publiée.")
    copy_label: str
    sections: list[ReportSectionType]
    downloads: list[ReportDownload]


def _texts(texts: tuple[NarrativeText, ...]) -> list[ReportWrittenText]:
    return [
        ReportWrittenText(
            title=t.title, body=t.body, body_html=t.body_html, updated_at=t.updated_at
        )
        for t in texts
    ]


def _block(report: Built, section: model.ReportSection, index: int, block: model.Block) -> object:
    element_id = f"bloc-{section.key.replace('.', '-')}-{index}"
    if isinstance(block, model.KeyFigures):
        return ReportKeyFigures(
            figures=[
                ReportKeyFigure(
                    label=f.label,
                    unit=f.unit,
                    value=ReportCell.of(f.value, "percent" if f.unit == "%" else "count"),
                    previous=ReportCell.of(f.previous, "percent" if f.unit == "%" else "count"),
                    change=None if f.change is None else float(f.change),
                    sentence=change_sentence(f, report.year),
                    persons=f.persons,
                )
                for f in block.figures
            ]
        )
    if isinstance(block, model.Table):
        return ReportTable.of(block)
    if isinstance(block, model.Chart):
        kind = "percent" if block.unit == "%" else "count"
        return ReportChart(
            title=block.title,
            description=block.description,
            kind=block.kind,
            unit=block.unit,
            categories=list(block.categories),
            series=[
                ReportSeries(name=s.name, values=[ReportCell.of(v, kind) for v in s.values])
                for s in block.series
            ],
            persons=block.persons,
            element_id=element_id,
            block=block,
        )
    if isinstance(block, model.Map):
        return ReportMap(
            title=block.title,
            description=block.description,
            level=block.level,
            unit=block.unit,
            areas=[
                ReportArea(code=a.code, name=a.name, value=ReportCell.of(a.value))
                for a in block.areas
            ],
            persons=block.persons,
            element_id=element_id,
            departement=report.departement,
            block=block,
        )
    if isinstance(block, model.Paragraph):
        return ReportParagraph(text=block.text)
    return ReportNarrativeSlot(kind=block.kind, texts=_texts(report.narratives.get(block.kind, ())))


def download_url(year: int, fmt: str, published: bool) -> str:
    return f"/reports/activity/{year}.{fmt}" + ("?copie=publiee" if published else "")


def from_report(report: Built) -> ActivityReport:
    return ActivityReport(
        year=report.year,
        published=report.published,
        threshold=report.threshold,
        copy_label=report.copy_label,
        sections=[
            ReportSectionType(
                key=s.key,
                title=s.title,
                order=s.order,
                annex=s.annex,
                blocks=[_block(report, s, i, b) for i, b in enumerate(s.blocks, 1)],  # type: ignore[misc]
            )
            for s in report.sections
        ],
        downloads=[
            ReportDownload(
                format=fmt, label=label, url=download_url(report.year, fmt, report.published)
            )
            for fmt, label in FORMATS
        ],
    )


@strawberry.type
class ActivityReportQuery:
    @strawberry.field(
        description="Le rapport d'activité de l'année : ses sections (chiffres clés, tableaux, "
        "graphiques, cartes, textes rédigés), celles des modules activés, et ses liens de "
        "téléchargement. ``published`` : la copie publiée, où les effectifs de personnes sous "
        "le seuil du pôle s'affichent « < 5 ».",
        extensions=[action_gate(service.READ)],
    )
    async def activity_report(
        self, info: Info[Context, None], year: int, published: bool = False
    ) -> ActivityReport:
        ctx = info.context
        tenant = ctx.require_tenant()
        async with ctx.db_session() as session:
            report = await build_report(
                ctx.host, session, caller(ctx), tenant, year, publish=published
            )
        return from_report(report)
