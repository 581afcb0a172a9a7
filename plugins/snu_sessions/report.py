"""The SNU days' section of the annual activity report (``maillage_report_sections``):
the year's key figures, the sessions one by one (who ran them, the kits they took), the
cancelled ones and why, and what the quiz showed — each change
with its method and interval, or « trop peu de réponses » below the threshold, exactly as
the session's screen says it (the same ``results`` computation).
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import sdk
from plugins.snu_sessions import results, statistics
from plugins.snu_sessions.models import Facilitator, Group, Material, QuizResponse, Session
from plugins.snu_sessions.vocabulary import CancelReason, ItemKind, Status

ORDER = 230


def _change(change: statistics.Change | None, *, percent: bool) -> str:
    """« +29 points (IC 95 % : 22 à 37 ; apparié, 69 paires) », or why none."""
    if change is None:
        return "trop peu de réponses"
    k, digits = (100, 0) if percent else (1, 2)
    unit = " points" if percent else ""
    sign = "+" if change.estimate > 0 else ""

    def shown(value: float) -> str:
        return sdk.number_fr(round(value * k, digits), digits)

    method = (
        f"apparié, {change.n} paires"
        if change.method == "paired"
        else f"non apparié, n = {change.n}"
    )
    return (
        f"{sign}{shown(change.estimate)}{unit} (IC 95 % : {shown(change.low)} à "
        f"{shown(change.high)} ; {method})"
    )


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def _names(
    report: sdk.ReportScope, in_year: tuple[object, ...]
) -> tuple[dict[object, list[str]], dict[object, list[str]]]:
    """Who ran each session's groups (the team's members, then the partners, each once)
    and the kits it took, by name: a few statements for the whole year."""
    session = report.session
    who: dict[object, list[str]] = {}
    staff_names: dict[object, str] = {}
    partner_names: dict[object, str] = {}
    rows = (
        await session.execute(
            select(Group.session_id, Facilitator.staff_user_id, Facilitator.partner_id)
            .join(Facilitator, Facilitator.group_id == Group.id)
            .join(Session, Session.id == Group.session_id)
            .where(*in_year)
            .order_by(Group.session_id, Group.name, Facilitator.id)
        )
    ).all()
    for _, staff_id, partner_id in rows:
        if staff_id is not None and staff_id not in staff_names:
            try:
                found = await sdk.find_staff_member(session, staff_id, field="staff")
                staff_names[staff_id] = found.display_name
            except sdk.NotFoundError:
                # A member who has left the pole still ran that group.
                staff_names[staff_id] = "un ancien membre de l'équipe"
        if partner_id is not None and partner_id not in partner_names:
            partner_names[partner_id] = (
                await sdk.find_partner(session, partner_id, field="partner")
            ).name
    for session_id, staff_id, partner_id in rows:
        name = staff_names[staff_id] if staff_id is not None else partner_names[partner_id]
        names = who.setdefault(session_id, [])
        if name not in names:
            names.append(name)
    kits: dict[object, list[str]] = {}
    kit_names: dict[object, str] = {}
    for session_id, kit_id in (
        await session.execute(
            select(Material.session_id, Material.kit_id)
            .join(Session, Session.id == Material.session_id)
            .where(*in_year)
        )
    ).all():
        if kit_id not in kit_names:
            kit_names[kit_id] = (await sdk.find_kit(session, kit_id, field="kit")).name
        kits.setdefault(session_id, []).append(kit_names[kit_id])
    return who, {k: sorted(v) for k, v in kits.items()}


async def _sessions_table(report: sdk.ReportScope) -> tuple[sdk.Table, sdk.Paragraph | None]:
    """The year's days one by one, and a sentence naming the cancelled ones (they count
    in no figure, but the board hears why a planned day did not happen)."""
    period = report.period
    in_year = (Session.starts_on >= period.start, Session.starts_on < period.end)
    groups = dict(
        (
            await report.session.execute(
                select(Group.session_id, func.sum(Group.present))
                .join(Session, Session.id == Group.session_id)
                .where(*in_year)
                .group_by(Group.session_id)
            )
        ).all()
    )
    answers: dict[tuple[object, str], int] = {
        (s, p): int(n)
        for s, p, n in await report.session.execute(
            select(QuizResponse.session_id, QuizResponse.phase, func.count())
            .join(Session, Session.id == QuizResponse.session_id)
            .where(*in_year)
            .group_by(QuizResponse.session_id, QuizResponse.phase)
        )
    }
    who, kits = await _names(report, in_year)
    rows = (
        await report.session.execute(
            select(
                Session.id,
                Session.centre,
                Session.starts_on,
                sdk.Commune.name,
                Session.status,
                Session.cancel_reason,
            )
            .join(sdk.Commune, sdk.Commune.insee_code == Session.commune_insee)
            .where(*in_year)
            .order_by(Session.starts_on, Session.centre)
        )
    ).all()
    held = [r for r in rows if r.status != Status.CANCELLED.value]
    cancelled = [r for r in rows if r.status == Status.CANCELLED.value]
    table = sdk.Table(
        title="Les journées de l'année",
        columns=(
            sdk.Column("Centre", "text"),
            sdk.Column("Commune", "text"),
            sdk.Column("Date", "date"),
            sdk.Column("Volontaires présents", "count", persons=True),
            sdk.Column("Réponses avant", "count"),
            sdk.Column("Réponses après", "count"),
            sdk.Column("Animé par", "text"),
            sdk.Column("Malles emportées", "text"),
        ),
        rows=[
            (
                r.centre,
                r.name,
                r.starts_on.isoformat(),
                None if groups.get(r.id) is None else int(groups[r.id]),
                answers.get((r.id, "before"), 0),
                answers.get((r.id, "after"), 0),
                ", ".join(who.get(r.id, [])) or "—",
                ", ".join(kits.get(r.id, [])) or "—",
            )
            for r in held
        ],
        note="Présents : comptés par groupe, jamais nommés ; vide tant qu'ils ne sont pas notés.",
    )
    if not cancelled:
        return table, None
    listed = " ; ".join(
        f"{r.centre} ({sdk.date_fr(r.starts_on)}) : {CancelReason(r.cancel_reason).label.lower()}"
        for r in cancelled
    )
    plural = "s" if len(cancelled) > 1 else ""
    return table, sdk.Paragraph(
        f"{len(cancelled)} journée{plural} annulée{plural}, comptée{plural} dans aucun "
        f"chiffre : {listed}."
    )


def _items_table(found: results.Results) -> sdk.Table:
    rows = []
    for item in found.items:
        knowledge = item.kind == ItemKind.KNOWLEDGE.value
        before = _share(item.before) if knowledge else _score(item.before)
        after = _share(item.after) if knowledge else _score(item.after)
        rows.append(
            (
                item.text,
                "bonnes réponses (%)" if knowledge else "score de 1 à 4",
                before,
                after,
                _change(item.change, percent=knowledge),
            )
        )
    return sdk.Table(
        title="Le questionnaire avant/après, question par question",
        columns=(
            sdk.Column("Question", "text"),
            sdk.Column("Mesure", "text"),
            sdk.Column("Avant", "number"),
            sdk.Column("Après", "number"),
            sdk.Column("Évolution", "text"),
        ),
        rows=rows,
        note=(
            f"{found.n_before} réponses avant, {found.n_after} après, {found.pairs} reliées par "
            f"leur code. Aucune évolution n'est donnée sous {found.threshold} réponses. Méthode : "
            "appariée (moyenne des écarts de chaque volontaire) avec assez de paires, sinon non "
            "appariée (Newcombe pour une part, Welch pour un score) ; intervalles à 95 %, "
            "approchés."
        ),
    )


async def sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    found = await results.results(
        report.session, threshold=int(report.settings["min_answers"]), period=report.period
    )
    knowledge = _change(found.knowledge, percent=True)
    attitude = _change(found.attitude, percent=False)
    summary = (
        f"Bonnes réponses par volontaire : {_shown_share(found.knowledge_before)} avant la "
        f"journée, {_shown_share(found.knowledge_after)} après ({knowledge}). Regard sur le "
        f"handicap, score de 1 à 4 : {_shown_score(found.attitude_before)} avant, "
        f"{_shown_score(found.attitude_after)} après ({attitude})."
    )
    days, cancelled = await _sessions_table(report)
    return [
        sdk.ReportSection(
            key="snu_sessions",
            title="Journées de sensibilisation des volontaires du SNU",
            order=ORDER,
            blocks=(
                sdk.KeyFigures(
                    (
                        await report.key_figure("snu_sessions.sessions", label="journées SNU"),
                        await report.key_figure(
                            "snu_sessions.young_people", label="volontaires sensibilisés"
                        ),
                        await report.key_figure(
                            "snu_sessions.answers", label="réponses aux questionnaires"
                        ),
                    )
                ),
                sdk.Paragraph(summary),
                days,
                *([] if cancelled is None else [cancelled]),
                _items_table(found),
            ),
        )
    ]


def _shown_share(value: float | None) -> str:
    return "—" if value is None else f"{sdk.number_fr(round(value * 100), 0)} %"


def _shown_score(value: float | None) -> str:
    return "—" if value is None else sdk.number_fr(round(value, 2), 2)
