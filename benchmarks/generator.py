"""Benchmark data: N poles × M children, with their whole casework, made by a seeded
generator and inserted in bulk.

Each pole gets its staff (real accounts with active memberships: the first one is a
coordinator), a directory (gestionnaires, structures in the pole's largest communes
with a contact each, partners), families with guardians and consents, children with a
needs profile attending a structure (half of them followed by a partner too), one
request per child, follow-ups with a referent from the staff, interventions on a
timeline, and reception plans with their versions and shares.

Deterministic: the same seed, number of poles and number of children give the same
content (names, dates, links, statuses); ids are UUIDv7 made in insertion order, so
ordering by id is reproducible too. Every name is fictitious (« (fictif) »).

Rows are inserted with ``session.execute(insert(Model), rows)`` (SQLAlchemy's bulk
path, batched as multi-row INSERTs) through the pole's scoped session, so the tenant
guard checks every row and PostgreSQL's RLS applies as in production.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select

from core.auth.models import Membership, User
from core.db.base import Base
from core.domain.casework.models import (
    FollowUp,
    FollowUpPartner,
    FollowUpStructure,
    Intervention,
    Request,
)
from core.domain.families.models import (
    Child,
    ChildPartner,
    ChildStructure,
    Consent,
    Family,
    Guardian,
)
from core.domain.families.vocabulary import NEEDS
from core.domain.plans.models import ReceptionPlan, ReceptionPlanShare, ReceptionPlanVersion
from core.domain.structures.models import ContactPerson, Organisation, Partner, Structure
from core.domain.structures.vocabulary import PARTNER_KINDS as PARTNER_LABELS
from core.ids import uuid7
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.models import Commune
from core.territory.names import normalize_name

# Poles take these départements in turn (each has enough large communes).
DEPARTEMENTS = ["62", "63", "59", "69", "33", "44", "35", "13"]
START = dt.date(2024, 11, 4)
END = dt.date(2026, 10, 30)
TODAY = dt.date(2026, 11, 1)  # fixed: the data is the same whatever day it is built
EMAIL_DOMAIN = "bench.maillage.example"

SURNAMES = [
    "Durand", "Lemoine", "Caron", "Fournier", "Perrin", "Renard", "Marchand", "Colin",
    "Vasseur", "Leclercq", "Dumont", "Bertin", "Gauthier", "Roussel", "Chevalier", "Picard",
    "Benali", "Nguyen", "Da Silva", "Haddad", "Morel", "Blanc", "Garnier", "Faure",
]  # fmt: skip
CHILD_NAMES = [
    "Léo", "Jade", "Louise", "Gabriel", "Ambre", "Noah", "Inès", "Adam", "Lina", "Raphaël",
    "Chloé", "Sacha", "Mila", "Nathan", "Rose", "Yanis", "Zoé", "Lucas", "Anna", "Ethan",
]  # fmt: skip
PARENT_NAMES = ["Sarah", "Julie", "Mehdi", "Aurélie", "Nicolas", "Fatima", "Kevin", "Laetitia"]
STAFF_NAMES = ["Claire", "Sophie", "Nadia", "Julien", "Émilie", "Karim", "Laure", "Thomas"]
STRUCTURE_NAMES = [
    "Les Petits Loups", "Les Lucioles", "Pom'Cannelle", "Les Trois Pommes", "Arc-en-Ciel",
    "Le Jardin des Lutins", "Les Coccinelles", "Les Bout'chous", "Les Petits Pas",
    "La Ribambelle", "Les Copains d'Abord", "L'Île aux Enfants",
]  # fmt: skip
# (kind, name pattern, capacity, age range in months); crèches first, the most common.
STRUCTURE_KINDS = [
    ("eaje", "Crèche {name} {n}", 24, (2, 48)),
    ("eaje", "Multi-accueil {name} {n}", 40, (2, 72)),
    ("mam", "MAM {name} {n}", 12, (2, 72)),
    ("acm", "Accueil de loisirs {name} {n}", 80, (36, 204)),
    ("periscolaire", "Périscolaire {name} {n}", 60, (36, 144)),
    ("rpe", "Relais petite enfance {name} {n}", None, (0, 72)),
]
PARTNER_KINDS = ["mdph", "camsp", "cmp", "pmi", "sessad", "respite", "family_association"]
INTERVENTION_KINDS = [
    "phone_guidance",
    "observation",
    "home_visit",
    "team_meeting",
    "recommendations",
    "mdph_help",
    "school_bridge",
    "partner_liaison",
]
ON_SITE = {"observation", "recommendations", "team_meeting"}

# Insertion order: parents before the rows that point at them.
ORDER: list[type[Base]] = [
    Membership,
    Organisation,
    Structure,
    Partner,
    ContactPerson,
    Family,
    Guardian,
    Consent,
    Child,
    ChildStructure,
    ChildPartner,
    Request,
    FollowUp,
    FollowUpStructure,
    FollowUpPartner,
    Intervention,
    ReceptionPlan,
    ReceptionPlanVersion,
    ReceptionPlanShare,
]
BATCH = 2000


@dataclass
class GeneratedPole:
    tenant: Tenant
    coordinator_id: uuid.UUID
    staff_ids: list[uuid.UUID]
    counts: dict[str, int] = field(default_factory=dict)


def _day(rng: random.Random, after: dt.date, before: dt.date = END) -> dt.date:
    return after + dt.timedelta(days=rng.randint(0, max((before - after).days, 1) - 1))


def _phone(rng: random.Random, prefix: str = "06") -> str:
    return f"{prefix} 00 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


class _Rows:
    """Rows to insert, per model, each a dict of every column the model's rows set
    (the same keys for all rows of a model, so the bulk insert batches them)."""

    def __init__(self) -> None:
        self.rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: type[Base], **values: Any) -> uuid.UUID:
        values.setdefault("id", uuid7())
        self.rows[model].append(values)
        return values["id"]  # type: ignore[no-any-return]


async def _communes(db: Database, departement: str) -> list[Commune]:
    async with db.reference_session() as session:
        found = list(
            (
                await session.execute(
                    select(Commune)
                    .where(Commune.departement_code == departement)
                    .order_by(Commune.population.desc(), Commune.insee_code)
                    .limit(40)
                )
            ).scalars()
        )
    if len(found) < 5:
        raise RuntimeError(f"département {departement}: territory not loaded?")
    return found


def _pole_rows(
    rng: random.Random, children: int, communes: list[Commune], staff: list[uuid.UUID]
) -> _Rows:
    """Every tenant row of one pole, made in a fixed order from ``rng``."""
    out = _Rows()
    insee = [c.insee_code for c in communes]

    gestionnaires = [
        out.add(
            Organisation,
            name=f"Commune de {c.name}",
            search_name=normalize_name(f"Commune de {c.name}"),
            kind="commune",
            commune_insee=c.insee_code,
            siren=None,
            notes="",
        )
        for c in communes[:8]
    ]
    structures: list[tuple[uuid.UUID, str, int, int]] = []  # id, kind, age min, age max
    for index in range(max(24, children // 15)):
        kind, pattern, capacity, (low, high) = STRUCTURE_KINDS[index % len(STRUCTURE_KINDS)]
        name = pattern.format(name=rng.choice(STRUCTURE_NAMES), n=index + 1)
        structure = out.add(
            Structure,
            name=name,
            search_name=normalize_name(name),
            kind=kind,
            organisation_id=None if kind == "mam" else rng.choice(gestionnaires),
            commune_insee=rng.choice(insee),
            address=f"{rng.randint(1, 90)} rue de l'Exemple",
            capacity=capacity,
            age_min_months=low,
            age_max_months=high,
            email=f"structure{index}@structure.example",
            phone=_phone(rng, "03"),
            notes="",
            active=True,
            merged_into_id=None,
        )
        structures.append((structure, kind, low, high))
    partners = []
    for index, kind in enumerate(PARTNER_KINDS * max(1, children // 500)):
        name = f"{PARTNER_LABELS[kind]} {rng.choice(STRUCTURE_NAMES)} {index + 1} (fictif)"
        partners.append(
            out.add(
                Partner,
                name=name,
                search_name=normalize_name(name),
                kind=kind,
                commune_insee=rng.choice(insee),
                email=f"partenaire{index}@partenaire.example",
                phone=_phone(rng, "03"),
                notes="",
            )
        )
    for owner, column in [(s[0], "structure_id") for s in structures] + [
        (p, "partner_id") for p in partners
    ]:
        out.add(
            ContactPerson,
            structure_id=owner if column == "structure_id" else None,
            partner_id=owner if column == "partner_id" else None,
            first_name=rng.choice(STAFF_NAMES),
            last_name=rng.choice(SURNAMES),
            function="Direction",
            email=None,
            phone=_phone(rng, "03"),
        )

    made, family_index = 0, 0
    while made < children:
        surname = SURNAMES[family_index % len(SURNAMES)]
        commune = rng.choice(insee)
        family = out.add(
            Family,
            name=f"Famille {surname} {family_index + 1}",
            search_name=normalize_name(f"Famille {surname} {family_index + 1}"),
            commune_insee=commune,
            address=f"{rng.randint(1, 120)} rue des Exemples",
            situation="(fictif) Parents séparés." if family_index % 5 == 0 else "",
            notes="",
        )
        parent = rng.choice(PARENT_NAMES)
        for g in range(1 if family_index % 3 else 2):
            out.add(
                Guardian,
                family_id=family,
                first_name=parent if g == 0 else rng.choice(PARENT_NAMES),
                last_name=surname,
                relationship_="mother" if g == 0 else "father",
                phone=_phone(rng),
                email=f"famille{family_index}.{g}@exemple.fr",
            )
        given = dt.datetime.combine(_day(rng, START - dt.timedelta(days=200), START), dt.time(10))
        given = given.replace(tzinfo=dt.UTC)
        out.add(
            Consent,
            family_id=family,
            purpose="follow_up",
            given_by=f"{parent} {surname}",
            given_at=given,
            recorded_by="banc",
            withdrawn_at=None,
            withdrawn_by=None,
        )
        share_consent = None
        if family_index % 3 == 0:
            share_consent = out.add(
                Consent,
                family_id=family,
                purpose="share_with_structure",
                given_by=f"{parent} {surname}",
                given_at=given + dt.timedelta(days=20),
                recorded_by="banc",
                withdrawn_at=None,
                withdrawn_by=None,
            )
        for _ in range(min(1 if family_index % 4 else 2, children - made)):
            _child(out, rng, made, family, commune, structures, partners, staff, share_consent)
            made += 1
        family_index += 1
    return out


def _child(
    out: _Rows,
    rng: random.Random,
    index: int,
    family: uuid.UUID,
    commune: str,
    structures: list[tuple[uuid.UUID, str, int, int]],
    partners: list[uuid.UUID],
    staff: list[uuid.UUID],
    share_consent: uuid.UUID | None,
) -> None:
    need = rng.choice(list(NEEDS))
    age_days = rng.randint(120, 365 * 12)
    months = age_days // 30
    fitting = [s for s in structures if s[2] <= months <= s[3]] or structures
    structure = rng.choice(fitting)[0]
    first_name = rng.choice(CHILD_NAMES)
    child = out.add(
        Child,
        family_id=family,
        first_name=first_name,
        birth_date=TODAY - dt.timedelta(days=age_days),
        commune_insee=commune,
        needs="(fictif) Besoin de repères visuels ; difficultés lors des transitions.",
        needs_profile=sorted({need, rng.choice(list(NEEDS))}),
        diagnosis=f"(fictif) {NEEDS[need]}",
        health_notes="(fictif) Allergie aux arachides." if index % 6 == 0 else None,
    )
    received = _day(rng, START, END - dt.timedelta(days=60))
    out.add(
        ChildStructure,
        child_id=child,
        structure_id=structure,
        starts_on=received - dt.timedelta(days=rng.randint(30, 300)),
        ends_on=None,
        notes="",
    )
    partner = rng.choice(partners) if index % 2 == 0 else None
    if partner is not None:
        out.add(
            ChildPartner,
            child_id=child,
            partner_id=partner,
            starts_on=received - dt.timedelta(days=10),
            ends_on=None,
            notes="",
        )
    # One request per child: most become follow-ups, some are answered at once, some
    # still wait (the tasks list shows those).
    fate = index % 20
    status = "answered" if fate in (3, 11) else "new" if fate in (7, 15) else "follow_up"
    if fate == 15:
        status = "qualified"
    request = out.add(
        Request,
        received_on=received,
        channel=rng.choice(["phone", "email", "web_form", "in_person"]),
        requester_kind="family" if index % 3 else "eaje",
        requester_name="Parent (fictif)" if index % 3 else "Direction de la structure (fictive)",
        family_id=family,
        child_id=child,
        structure_id=None if index % 3 else structure,
        partner_id=None,
        subjects=sorted({rng.choice(["place_search", "professional_question", "mdph"])}),
        description=f"(fictif) Demande au sujet de {first_name}.",
        status=status,
        assigned_to=rng.choice(staff),
        answered_on=received + dt.timedelta(days=3) if status == "answered" else None,
        answer="(fictif) Conseils par téléphone." if status == "answered" else "",
    )
    if status != "follow_up":
        return
    referent = rng.choice(staff)
    opened = received + dt.timedelta(days=rng.randint(2, 20))
    follow_up = out.add(
        FollowUp,
        child_id=child,
        request_id=request,
        opened_on=opened,
        referent_user_id=referent,
        status="open",
        closed_on=None,
        outcome=None,
        outcome_notes="",
    )
    row = out.rows[FollowUp][-1]
    out.add(FollowUpStructure, follow_up_id=follow_up, structure_id=structure)
    if partner is not None:
        out.add(FollowUpPartner, follow_up_id=follow_up, partner_id=partner)
    day = opened
    for step in range(rng.randint(1, 8)):
        day = day + dt.timedelta(days=rng.randint(7, 45))
        if day >= END:
            break
        kind = ["phone_guidance", "observation", "recommendations"][step] if step < 3 else None
        kind = kind or rng.choice(INTERVENTION_KINDS)
        on_site = kind in ON_SITE
        out.add(
            Intervention,
            follow_up_id=follow_up,
            kind=kind,
            happened_on=day,
            duration_minutes=rng.choice([30, 45, 60, 90, 120]),
            staff_user_id=referent if step % 4 else rng.choice(staff),
            structure_id=structure if on_site else None,
            place="",
            travel_km=round(rng.uniform(5, 60), 1) if on_site else 0.0,
            notes=f"(fictif) {kind}",
            recommendations="(fictif) Pictogrammes ; un coin calme."
            if kind == "recommendations"
            else "",
        )
    if index % 2 == 0 and day < END - dt.timedelta(days=30):
        row.update(
            status="closed",
            closed_on=day + dt.timedelta(days=10),
            outcome=rng.choice(["reception_adapted", "place_found", "oriented"]),
        )
    if index % 5 == 1:
        versions = 1 + index % 2
        plan = out.add(
            ReceptionPlan, child_id=child, structure_id=structure, current_version=versions
        )
        written = dt.datetime.combine(opened + dt.timedelta(days=30), dt.time(14), dt.UTC)
        for version in range(1, versions + 1):
            at = written + dt.timedelta(days=60 * (version - 1))
            out.add(
                ReceptionPlanVersion,
                plan_id=plan,
                version=version,
                written_on=at.date(),
                written_at=at,
                written_by="banc",
                needs="(fictif) Repères visuels.",
                habits="(fictif) Sieste après le repas.",
                communication="(fictif) Quelques signes.",
                care_instructions="",
                adaptations="(fictif) Un coin calme.",
                equipment="",
                adaptation_periods=[],
                review_dates=[(opened + dt.timedelta(days=180)).isoformat()],
                evaluation="",
            )
        if share_consent is not None:
            out.add(
                ReceptionPlanShare,
                plan_id=plan,
                consent_id=share_consent,
                shared_at=written + dt.timedelta(days=1),
                shared_by="banc",
                revoked_at=None,
                revoked_by=None,
            )


async def generate_pole(
    db: Database, *, index: int, children: int, seed: int = 1, slug: str | None = None
) -> GeneratedPole:
    """One pole (the ``index``-th of the run): its tenant, staff and every row."""
    departement = DEPARTEMENTS[index % len(DEPARTEMENTS)]
    slug = slug or f"banc-{index + 1}"
    rng = random.Random(f"maillage-bench-{seed}-{index}-{children}")
    communes = await _communes(db, departement)
    async with db.unscoped(reason="benchmark data", actor="benchmarks") as session:
        tenant = Tenant(
            slug=slug,
            name=f"Pôle de banc d'essai {index + 1} (fictif)",
            short_name=f"Banc {index + 1}",
            operator="Association de banc d'essai (fictive)",
            departement_code=departement,
        )
        session.add(tenant)
        await session.commit()

    staff_count = max(4, children // 150)
    staff_ids = [uuid7() for _ in range(staff_count)]
    async with db.reference_session() as session:
        await session.execute(
            insert(User),
            [
                {
                    "id": user_id,
                    "email": f"{slug}.equipe{n}@{EMAIL_DOMAIN}",
                    "display_name": f"{STAFF_NAMES[n % len(STAFF_NAMES)]} {SURNAMES[n]} (fictif)",
                    "status": "active",
                }
                for n, user_id in enumerate(staff_ids)
            ],
        )
        await session.commit()

    rows = _pole_rows(rng, children, communes, staff_ids)
    for n, user_id in enumerate(staff_ids):
        roles = ["coordinator"] if n == 0 else ["psychologist"] if n % 4 == 3 else ["staff"]
        rows.add(Membership, user_id=user_id, roles=roles, grants=[], active=True)
    async with db.session(tenant.id) as session:
        for model in ORDER:
            batch = rows.rows.get(model, [])
            for start in range(0, len(batch), BATCH):
                await session.execute(insert(model), batch[start : start + BATCH])
        await session.commit()
    counts = {m.__tablename__: len(rows.rows.get(m, [])) for m in ORDER}  # type: ignore[attr-defined]
    return GeneratedPole(tenant, staff_ids[0], staff_ids, counts)


async def generate(
    db: Database, *, poles: int, children: int, seed: int = 1, prefix: str = "banc"
) -> list[GeneratedPole]:
    """``poles`` poles of ``children`` children each (slugs ``{prefix}-1``…)."""
    return [
        await generate_pole(db, index=i, children=children, seed=seed, slug=f"{prefix}-{i + 1}")
        for i in range(poles)
    ]


async def count_rows(db: Database, tenant: Tenant) -> dict[str, int]:
    """What the pole's scoped session sees, per generated table."""
    found = {}
    async with db.session(tenant.id) as session:
        for model in ORDER:
            found[model.__tablename__] = int(  # type: ignore[attr-defined]
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
    return found
