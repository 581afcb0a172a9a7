"""Seed the demo poles. Running it again changes nothing.

The service areas follow the poles' own way of cutting their département into
territories, built from real EPCI (reference data); they hold no person's data.
Later domain modules add their demo data through the seed hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.domain.areas.service import upsert_area
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.models import Commune

# slug -> area name -> EPCI SIREN codes
DEMO_AREAS: dict[str, dict[str, tuple[str, ...]]] = {
    "pas-de-calais": {
        "Artois": ("200072460", "245900758"),
        "Lens-Hénin": ("246200364", "246200299"),
        "Arrageois": ("200033579", "200069482", "200035442", "200044048"),
        "Ternois": ("200069672",),
        "Calaisis": ("200090751", "200072478", "246200844"),
        "Boulonnais": ("246200729", "200018083", "246200380"),
        "Audomarois": ("200069037", "246201016"),
        "Montreuillois": ("200069029", "200044030", "200069235"),
    },
    "puy-de-dome": {
        "Riom, Limagne et Combrailles": (
            "200070753",
            "200072098",
            "200071199",
            "200072080",
            "200071215",
        ),
        "Clermont Auvergne Métropole": ("246300701",),
        "Issoire, Val d'Allier et Sancy": ("200070407", "246300966", "200069169", "200069177"),
        "Livradois-Forez et Thiers": ("200070712", "200070761", "246301097", "200067627"),
    },
}


@dataclass
class SeedReport:
    seeded: dict[str, int] = field(default_factory=dict)
    missing_tenants: list[str] = field(default_factory=list)


async def seed_demo(db: Database) -> SeedReport:
    report = SeedReport()
    for slug, areas in DEMO_AREAS.items():
        tenant = await db.tenant_by_slug(slug)
        if tenant is None:
            report.missing_tenants.append(slug)
            continue
        await _seed_areas(db, tenant, areas)
        report.seeded[slug] = len(areas)
    return report


async def _seed_areas(db: Database, tenant: Tenant, areas: dict[str, tuple[str, ...]]) -> None:
    async with db.session(tenant.id) as session:
        sirens = sorted({s for group in areas.values() for s in group})
        rows = await session.execute(
            select(Commune.epci_siren, Commune.insee_code).where(Commune.epci_siren.in_(sirens))
        )
        by_epci: dict[str, list[str]] = {}
        for siren, insee in rows:
            by_epci.setdefault(siren, []).append(insee)
        for name, group in areas.items():
            codes = [
                code
                for siren in group
                for code in by_epci.get(siren, [])
                # Only the pole's own département: some EPCI straddle two.
                if code.startswith(tenant.departement_code)
            ]
            await upsert_area(session, name=name, insee_codes=codes)
        await session.commit()
