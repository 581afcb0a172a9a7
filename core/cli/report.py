"""``maillage report build --pole … --year …``: a pole's annual activity report as files.

The same report as ``activityReport`` and ``/reports/activity/<year>.<format>``: the
sections of core and of the plugins the pole enabled, written as HTML, PDF, XLSX and DOCX
(``--format`` to choose) into ``--output``; ``--published`` writes the published copy
(counts of persons under the pole's threshold shown « < 5 »). The files' paths go to
standard output, one a line; a progress bar to standard error on a terminal. Read as
``operator:<login>`` acting for the pole's coordinator.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.access.actions import Caller
from core.api.documents import pdf
from core.cli.letterhead import on_behalf
from core.cli.progress import Step, progress
from core.domain.report import document, docx, xlsx
from core.domain.report.builder import ActivityReport, build_report
from core.errors import ValidationError
from core.settings import Settings
from core.tenancy.database import Database

FORMATS = ("html", "pdf", "xlsx", "docx")


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="rapport d'activité annuel d'un pôle")
    report.description = __doc__
    report.formatter_class = argparse.RawDescriptionHelpFormatter
    actions = report.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build", help="écrire le rapport d'une année (HTML, PDF, XLSX, DOCX)"
    )
    build.add_argument("--pole", required=True, help="slug du pôle")
    build.add_argument("--year", required=True, type=int, help="année civile du rapport")
    build.add_argument(
        "--format",
        default=",".join(FORMATS),
        help="formats séparés par des virgules (par défaut : html,pdf,xlsx,docx)",
    )
    build.add_argument(
        "--published",
        action="store_true",
        help="copie publiée : effectifs de personnes sous le seuil du pôle affichés « < 5 »",
    )
    build.add_argument(
        "--output", type=Path, default=Path("."), help="dossier où écrire (par défaut : ici)"
    )
    build.set_defaults(func=build_command)


def _formats(raw: str) -> list[str]:
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in FORMATS]
    if unknown or not wanted:
        raise ValidationError(
            f"format inconnu : {', '.join(unknown) or '(aucun)'} "
            f"(possibles : {', '.join(FORMATS)})",
            field="--format",
        )
    return wanted


def _output(path: Path) -> Path:
    if not path.is_dir():
        raise ValidationError(f"dossier introuvable : {path}", field="--output")
    return path


def _write(report: ActivityReport, formats: list[str], path: Path, step: Step) -> list[Path]:
    """Render each format (the PDF from the HTML document) and write it."""
    html = document.render_html(report)
    written = []
    for fmt in formats:
        if fmt == "html":
            content = html.encode("utf-8")
        elif fmt == "pdf":
            content = pdf(html)
        elif fmt == "xlsx":
            content = xlsx.render_xlsx(report)
        else:
            content = docx.render_docx(report)
        target = path.with_name(f"{path.name}.{fmt}")
        target.write_bytes(content)
        written.append(target)
        step.advance()
    return written


async def build_command(settings: Settings, args: argparse.Namespace) -> int:
    formats = _formats(args.format)
    output = _output(args.output)
    host = args.plugins_host
    caller = Caller(on_behalf(), host.actions)
    db = Database.from_settings(settings)
    written: list[Path] = []
    try:
        tenant = await db.tenant_by_slug(args.pole)
        if tenant is None:
            raise ValidationError(f"pôle inconnu : {args.pole}", field="--pole")
        with progress() as steps, steps.step("rapport d'activité", total=1 + len(formats)) as step:
            async with db.session(tenant.id) as session:
                report = await build_report(
                    host, session, caller, tenant, args.year, publish=args.published
                )
            step.advance()
            name = f"rapport-activite-{tenant.slug}-{report.year}" + (
                "-publie" if args.published else ""
            )
            written = _write(report, formats, output / name, step)
    finally:
        await db.dispose()
    for path in written:
        print(path)
    return 0
