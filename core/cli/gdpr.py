"""``maillage gdpr purge``: apply each pole's retention period.

A dry run unless ``--apply``: it lists, per pole, the files whose retention has ended
(last activity more than ``retention_years_after_closing`` years ago, nothing open),
those a legal hold keeps, and deferred erasures now due. It prints ids and dates
only — the operator reads no name. ``--apply`` anonymises them, one transaction per
pole, audited as ``operator:<login>``. Run it from cron, e.g. every night.
"""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy import select

from core.access.actions import Caller
from core.cli.auth import operator
from core.cli.progress import progress
from core.domain.gdpr import service
from core.errors import ValidationError
from core.settings import Settings
from core.tenancy.config import default_settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant


def register(commands: argparse._SubParsersAction) -> None:
    gdpr = commands.add_parser("gdpr", help="cycle de vie RGPD des dossiers")
    sub = gdpr.add_subparsers(dest="gdpr_command", metavar="ACTION", required=True)
    purge = sub.add_parser(
        "purge",
        help="appliquer la durée de conservation (simulation sans --apply)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    purge.add_argument("--tenant", help="slug d'un pôle (par défaut : tous les pôles actifs)")
    purge.add_argument(
        "--apply", action="store_true", help="anonymiser vraiment (sinon : simulation)"
    )
    purge.add_argument("--today", help="date de référence AAAA-MM-JJ (par défaut : aujourd'hui)")
    purge.set_defaults(func=purge_command)


def _today(raw: str | None) -> dt.date:
    if raw is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            f"date invalide : {raw} (attendu AAAA-MM-JJ)", field="--today"
        ) from None


async def purge_command(settings: Settings, args: argparse.Namespace) -> int:
    today = _today(args.today)
    host = args.plugins_host
    sources = [source for _owner, source in host.contributions.personal_data]
    caller = Caller(operator(), host.actions)
    db = Database.from_settings(settings)
    try:
        async with db.reference_session() as session:
            statement = select(Tenant).where(Tenant.active).order_by(Tenant.slug)
            if args.tenant:
                statement = statement.where(Tenant.slug == args.tenant)
            tenants = list(await session.scalars(statement))
        if args.tenant and not tenants:
            raise ValidationError(f"pôle inconnu ou inactif : {args.tenant}", field="--tenant")
        mode = (
            "application" if args.apply else "simulation (rien n'est modifié ; --apply pour agir)"
        )
        print(f"purge RGPD au {today:%d/%m/%Y} — {mode}")
        reports = []
        with progress() as steps, steps.step("pôles examinés", total=len(tenants)) as step:
            for tenant in tenants:
                settings_ = {**default_settings(), **tenant.settings}
                years = int(settings_["retention_years_after_closing"])
                async with db.session(tenant.id) as session:
                    report = await service.purge(
                        session, caller, sources, years=years, today=today, apply=args.apply
                    )
                    await session.commit()
                reports.append((tenant.slug, report))
                step.advance()
        for slug, report in reports:
            _print(slug, report)
    finally:
        await db.dispose()
    return 0


def _print(slug: str, report: service.PurgeReport) -> None:
    verb = "anonymisé(s)" if report.applied else "à anonymiser"
    print(
        f"{slug} : conservation {report.years} ans — {len(report.expired)} dossier(s) {verb}, "
        f"{len(report.held)} retenu(s) par une obligation de conservation, "
        f"{len(report.erasures_due)} effacement(s) différé(s) à réaliser"
    )
    for status in report.expired:
        print(
            f"  {status.family_id}  dernier mouvement {status.last_activity:%d/%m/%Y}, "
            f"échu le {status.expires_on:%d/%m/%Y}"
        )
    for status in report.held:
        print(f"  {status.family_id}  échu le {status.expires_on:%d/%m/%Y} — conservé (obligation)")
    for family_id in report.erasures_due:
        print(f"  {family_id}  effacement différé, obligation terminée")
    if report.counts:
        detail = ", ".join(f"{table} {n}" for table, n in sorted(report.counts.items()))
        print(f"  lignes effacées ou anonymisées : {detail}")
