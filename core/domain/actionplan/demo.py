"""Demo action plans: a 2025–2027 plan per demo pole, written the way the poles write
theirs (orientations → objectives → actions), evaluated for 2025 and 2026, with
indicators whose values have a few gaps. The texts are fictitious but plausible; the
statuses come from a seeded generator (the same pole always gets the same evaluation)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.actionplan.models import (
    IndicatorValue,
    PlanIndicator,
    PlanItem,
    PlanItemStatus,
    PlanPeriod,
)
from core.ids import uuid7
from core.tenancy.models import Tenant

# (label, title, children) — three levels; actions have no children.
Tree = list[tuple[str, str, list]]  # type: ignore[type-arg]

COMMON: Tree = [
    (
        "1",
        "Favoriser l'inclusion des enfants dans les structures de droit commun",
        [
            (
                "1.1",
                "Accompagner les structures lors de l'accueil d'un enfant",
                [
                    ("1.1.1", "Observer sur site dans le mois qui suit la demande", []),
                    ("1.1.2", "Écrire les projets d'accueil personnalisés avec les familles", []),
                ],
            ),
            (
                "1.2",
                "Préparer les passages : entrée à l'école, accueil de loisirs",
                [
                    ("1.2.1", "Organiser des passerelles avec l'Éducation nationale", []),
                    ("1.2.2", "Faire connaître le pôle aux accueils de loisirs (ACM)", []),
                ],
            ),
        ],
    ),
    (
        "2",
        "Soutenir et outiller les professionnels",
        [
            (
                "2.1",
                "Sensibiliser sur tout le territoire",
                [
                    ("2.1.1", "Tenir une sensibilisation territoriale dans chaque bassin", []),
                    ("2.1.2", "Proposer des soirées aux assistant·es maternel·les", []),
                ],
            ),
            (
                "2.2",
                "Enrichir les malles pédagogiques",
                [
                    ("2.2.1", "Créer deux malles (émotions, sommeil)", []),
                    ("2.2.2", "Livrer et reprendre les malles par tournées", []),
                ],
            ),
        ],
    ),
]
PLANS: dict[str, Tree] = {
    "62": [
        *COMMON,
        (
            "3",
            "Développer le réseau et les partenariats",
            [
                (
                    "3.1",
                    "Développer les adhésions collectives",
                    [
                        ("3.1.1", "Présenter le pôle aux intercommunalités", []),
                        ("3.1.2", "Signer des conventions de partenariat avec les communes", []),
                    ],
                ),
                (
                    "3.2",
                    "Co-construire la plateforme de handisitting avec le Département et la MDPH",
                    [
                        ("3.2.1", "Recruter et former les premiers intervenants", []),
                        ("3.2.2", "Ouvrir la plateforme aux familles", []),
                    ],
                ),
            ],
        ),
        (
            "4",
            "Accompagner les familles",
            [
                (
                    "4.1",
                    "Informer les familles sur les modes d'accueil et les démarches",
                    [
                        ("4.1.1", "Tenir une permanence mensuelle par territoire", []),
                        ("4.1.2", "Aider au dossier MDPH", []),
                    ],
                )
            ],
        ),
    ],
    "63": [
        *COMMON,
        (
            "3",
            "Animer le réseau des référents Pôle Ressources",
            [
                (
                    "3.1",
                    "Former une nouvelle session de référents chaque année",
                    [
                        ("3.1.1", "Organiser la session (deux jours partenaire, un jour pôle)", []),
                        ("3.1.2", "Faire signer la charte des référents", []),
                    ],
                ),
                (
                    "3.2",
                    "Réunir les référents deux fois par an",
                    [("3.2.1", "Proposer des journées thématiques", [])],
                ),
            ],
        ),
        (
            "4",
            "Soutenir les familles",
            [
                (
                    "4.1",
                    "Tenir les ateliers de soutien à la parentalité avec l'UDAF",
                    [
                        ("4.1.1", "Programmer cinq ateliers dans le département", []),
                        ("4.1.2", "Recueillir les besoins des familles pour l'année suivante", []),
                    ],
                )
            ],
        ),
    ],
}
# (attached to: an item label or None for the plan, name, unit, baseline (year, value),
#  target, {year: value, or (state, reason) for a gap})
Values = dict[int, float | tuple[str, str]]
INDICATORS: dict[str, list[tuple[str | None, str, str, tuple[int, float], float, Values]]] = {
    "62": [
        (
            None,
            "Enfants accompagnés dans l'année",
            "enfants",
            (2024, 180),
            240,
            {2025: 196, 2026: ("pending", "Bilan annuel en cours de consolidation.")},
        ),
        (
            "1.1.1",
            "Demandes suivies d'une observation sur site dans le mois",
            "%",
            (2024, 60),
            80,
            {
                2025: ("not_available", "Délai non saisi avant l'arrivée de la plateforme."),
                2026: 72,
            },
        ),
        ("2.1", "Participants aux sensibilisations", "participants", (2024, 420), 600, {}),
        ("2.2", "Prêts de malles", "prêts", (2024, 95), 130, {}),
        (
            "3.1",
            "Adhésions collectives",
            "adhésions",
            (2024, 38),
            55,
            {2025: 44, 2026: ("not_available", "Relance des adhésions en janvier.")},
        ),
        (
            "3.2",
            "Gardes réalisées par la plateforme de handisitting",
            "gardes",
            (2024, 0),
            50,
            {2025: ("not_applicable", "La plateforme n'était pas encore ouverte."), 2026: 12},
        ),
    ],
    "63": [
        (
            None,
            "Enfants accompagnés dans l'année",
            "enfants",
            (2024, 70),
            110,
            {2025: 83, 2026: ("pending", "Bilan annuel en cours de consolidation.")},
        ),
        (
            "1.1.1",
            "Demandes suivies d'une observation sur site dans le mois",
            "%",
            (2024, 55),
            75,
            {2025: 61, 2026: 68},
        ),
        ("2.2", "Prêts de kits (trois semaines)", "prêts", (2024, 60), 90, {}),
        ("3.1", "Référents formés dans l'année", "référents", (2024, 14), 18, {2025: 16, 2026: 17}),
        (
            "4.1",
            "Ateliers parentalité tenus sur ceux programmés",
            "ateliers",
            (2024, 1),
            5,
            {2025: 3, 2026: ("pending", "Deux ateliers restent à tenir en décembre.")},
        ),
    ],
}
STATUS_COMMENTS = {
    "done": "(fictif) Réalisé comme prévu.",
    "in_progress": "(fictif) Engagé, à poursuivre l'an prochain.",
    "not_done": "(fictif) Reporté faute de temps dans l'équipe.",
}
RECORDED_AT = {
    2025: dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC),
    2026: dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
}


async def seed_action_plan(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(PlanPeriod.id).limit(1))).first():
        return
    tree = PLANS.get(tenant.departement_code, COMMON)
    rng = random.Random(f"maillage-demo-actionplan-{tenant.slug}")
    period = PlanPeriod(
        id=uuid7(),
        title="Plan d'action 2025–2027",
        description="(fictif) Orientations votées par le conseil d'administration, "
        "évaluées chaque année avec les financeurs.",
        first_year=2025,
        last_year=2027,
    )
    session.add(period)
    await session.flush()  # no ORM relationship orders the inserts: the plan first
    by_label: dict[str, PlanItem] = {}

    def add(nodes: Tree, parent: PlanItem | None) -> None:
        for position, (label, title, children) in enumerate(nodes):
            level = (
                "orientation"
                if parent is None
                else ("objective" if parent.level == "orientation" else "action")
            )
            item_id = uuid7()
            item = PlanItem(
                id=item_id,
                period_id=period.id,
                level=level,
                parent_id=parent.id if parent else None,
                parent_level=parent.level if parent else None,
                label=label,
                title=title,
                position=position,
                lineage_id=item_id,
            )
            by_label[label] = item
            session.add(item)
            add(children, item)

    add(tree, None)
    await session.flush()
    by = f"demo:{tenant.slug}"
    for item in by_label.values():
        if item.level == "objective":
            continue  # the poles evaluate orientations and actions
        first = rng.choices(["done", "in_progress", "not_done"], weights=[3, 5, 2])[0]
        second = (
            "done"
            if first == "done"
            else rng.choices(["done", "in_progress", "not_done"], weights=[4, 4, 1])[0]
        )
        if item.level == "orientation":
            first, second = "in_progress", "in_progress"
        for year, status in ((2025, first), (2026, second)):
            session.add(
                PlanItemStatus(
                    item_id=item.id,
                    year=year,
                    status=status,
                    comment=STATUS_COMMENTS[status] if item.level == "action" else "",
                    recorded_at=RECORDED_AT[year],
                    recorded_by=by,
                )
            )
    for position, (label, name, unit, (base_year, base), target, values) in enumerate(
        INDICATORS.get(tenant.departement_code, [])
    ):
        item = by_label.get(label) if label else None
        indicator_id: uuid.UUID = uuid7()
        session.add(
            PlanIndicator(
                id=indicator_id,
                period_id=period.id,
                item_id=item.id if item else None,
                item_level=item.level if item else None,
                name=name,
                unit=unit,
                definition="(fictif) Compté à partir des données de la plateforme.",
                baseline=float(base),
                baseline_year=base_year,
                target=float(target),
                position=position,
                lineage_id=indicator_id,
            )
        )
        await session.flush()
        for year in (2025, 2026):
            # Yearly figures not given above grow from the baseline toward the target.
            given = values.get(year, base + (target - base) * (year - 2024) / 3.6)
            state, value, reason = "available", given, ""
            if isinstance(given, tuple):
                state, value, reason = given[0], None, given[1]
            session.add(
                IndicatorValue(
                    indicator_id=indicator_id,
                    year=year,
                    state=state,
                    value=None if value is None else float(round(value + rng.choice([0, 1, 2]))),
                    reason=reason,
                    recorded_at=RECORDED_AT[year],
                    recorded_by=by,
                )
            )
    await session.flush()
