"""The SNU days' section of the annual activity report (``maillage_report_sections``):
the year's key figures, the sessions one by one, and what the quiz showed — each change
with its method and interval, or « trop peu de réponses » below the threshold, exactly as
the session's screen says it (the same ``results`` computation).
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import sdk
from plugins.snu_sessions import results, statistics
from plugins.snu_sessions.models import Group, QuizResponse, Session
from plugins.snu_sessions.vocabulary import ItemKind

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


async def _sessions_table(report: sdk.ReportScope) -> sdk.Table:
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
    rows = (
        await report.session.execute(
            select(Session.id, Session.centre, Session.starts_on, sdk.Commune.name)
            .join(sdk.Commune, sdk.Commune.insee_code == Session.commune_insee)
            .where(*in_year)
            .order_by(Session.starts_on, Session.centre)
        )
    ).all()
    return sdk.Table(
        title="Les journées de l'année",
        columns=(
            sdk.Column("Centre", "text"),
            sdk.Column("Commune", "text"),
            sdk.Column("Date", "date"),
            sdk.Column("Volontaires présents", "count", persons=True),
            sdk.Column("Réponses avant", "count"),
            sdk.Column("Réponses après", "count"),
        ),
        rows=[
            (
                centre,
                commune,
                starts_on.isoformat(),
                None if groups.get(id_) is None else int(groups[id_]),
                answers.get((id_, "before"), 0),
                answers.get((id_, "after"), 0),
            )
            for id_, centre, starts_on, commune in rows
        ],
        note="Présents : comptés par groupe, jamais nommés ; vide tant qu'ils ne sont pas notés.",
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
                await _sessions_table(report),
                _items_table(found),
            ),
        )
    ]


def _shown_share(value: float | None) -> str:
    return "—" if value is None else f"{sdk.number_fr(round(value * 100), 0)} %"


def _shown_score(value: float | None) -> str:
    return "—" if value is None else sdk.number_fr(round(value, 2), 2)
