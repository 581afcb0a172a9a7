"""``lending`` — a sample plugin (the tutorial of docs/plugins.md, kept under tests):
the pole lends adapted equipment (a standing frame, a weighted blanket…) to families,
for one of their children.

It references core's family, child and staff member (composite foreign keys), refuses
another pole's family with NOT_FOUND as core does, shows a family's loans on the
family's page (a panel) and in the family's export and erasure, has a page of its own
and an indicator. It imports only ``core.sdk``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core import sdk

from .graphql import MANAGE, READ, contribution, loans_lent
from .models import Loan

HERE = Path(__file__).parent

manifest = sdk.Plugin(
    name="lending",
    version="1.0.0",
    api_version="1.1",
    title="Prêt de matériel adapté",
    description="Matériel adapté prêté aux familles pour leurs enfants, et rendu.",
)


@sdk.hookimpl
def maillage_models() -> list[type]:
    return [Loan]


@sdk.hookimpl
def maillage_migrations() -> sdk.MigrationSource:
    return sdk.MigrationSource(HERE / "migrations" / "versions")


@sdk.hookimpl
def maillage_graphql() -> sdk.GraphQLContribution:
    return contribution()


@sdk.hookimpl
def maillage_actions() -> list[sdk.Action]:
    return [
        sdk.Action("lending.read", "Voir les prêts de matériel", default_roles=sdk.POLE_ROLES),
        sdk.Action(
            "lending.manage", "Enregistrer les prêts de matériel", default_roles=sdk.POLE_ROLES
        ),
    ]


@sdk.hookimpl
def maillage_indicators() -> list[sdk.IndicatorSpec]:
    return [
        sdk.IndicatorSpec(
            name="lending.loans",
            title="Prêts de matériel adapté",
            unit="prêts",
            compute=loans_lent,
        )
    ]


@sdk.hookimpl
def maillage_personal_data() -> list[sdk.PersonalDataSource]:
    return [
        sdk.family_records(
            Loan,
            title="Prêts de matériel adapté",
            kind="Prêt de matériel",
            type_name="LendingLoan",
            describe=lambda loan: {
                "Matériel": loan.item,
                "Prêté le": loan.lent_on.isoformat(),
                "Rendu le": loan.returned_on.isoformat() if loan.returned_on else None,
            },
        )
    ]


ITEMS = ("Verticalisateur", "Couverture lestée", "Casque anti-bruit", "Siège auto adapté")


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: Any, settings: Mapping[str, Any]) -> None:
    """Demo loans to the pole's first families (idempotent: none once loans exist)."""
    if (await session.execute(select(Loan.id).limit(1))).first():
        return
    for index, family in enumerate(await sdk.list_families(session, limit=len(ITEMS))):
        children = await sdk.list_children(session, family.id)
        session.add(
            Loan(
                family_id=family.id,
                child_id=children[0].id if children else None,
                item=ITEMS[index],
                lent_on=dt.date(2026, 10, 1) + dt.timedelta(days=7 * index),
            )
        )


@sdk.hookimpl
def maillage_pages() -> sdk.PageContribution:
    async def loans_page(view: sdk.PageView) -> object:
        answer = await view.run("LendingLoans")
        loans = ((answer.data or {}).get("lending") or {}).get("loans") or {}
        return view.render(
            "lending/loans.html",
            title="Prêts de matériel",
            loans=[edge["node"] for edge in loans.get("edges", [])],
        )

    return sdk.PageContribution(
        pages=[sdk.Page("/lending/prets", loans_page, action=READ, operations=("LendingLoans",))],
        templates=HERE / "templates",
        operations=HERE / "operations",
    )


@sdk.hookimpl
def maillage_navigation() -> list[sdk.NavEntry]:
    return [sdk.NavEntry("Prêts", "/lending/prets", action=READ, order=60)]


@sdk.hookimpl
def maillage_panels() -> list[sdk.Panel]:
    return [
        sdk.Panel(
            slot="family",
            title="Matériel prêté",
            operation="LendingFamilyLoans",
            template="lending/panel.html",
            action=READ,
        )
    ]


__all__ = ["MANAGE", "manifest"]
