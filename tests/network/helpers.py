"""A network on the test install: two poles of their own, a catalogue, and children
followed in 2025 with one small age bracket (a primary secret)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from core.access.actions import Actor
from core.domain.casework.models import FollowUp
from core.domain.families.models import Child, Family
from core.network.catalogue import CatalogueEntry
from core.network.models import Network
from core.network.releases import the_network
from core.network.setup import add_pole, define_network, set_catalogue
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient
from core.testing.network import store_published_pole

COORDINATOR = Actor(
    subject="test:network-coordinator",
    display_name="Coordination du réseau",
    roles=frozenset({"network_coordinator"}),
)
ANALYST = Actor(
    subject="test:network-analyst",
    display_name="Analyste du réseau",
    roles=frozenset({"network_analyst"}),
)
POLE_ADMIN = Actor(
    subject="test:network-pole-admin",
    display_name="Administratrice du pôle",
    roles=frozenset({"pole_admin"}),
)
ENTRIES = [
    CatalogueEntry("casework.children_followed", ((), ("age_bracket",))),
    CatalogueEntry("casework.requests", ((), ("requester_kind",))),
]

PREPARE = """mutation($period: String!, $reason: String! = "") {
  prepareNetworkRelease(input: {period: $period, reason: $reason}) {
    release { id period version status k reason population
      protection { cells primary secondary inherited smallestInterval } }
    errors { code field message } } }"""
SUBMIT = """mutation($id: ID!) { submitNetworkRelease(id: $id) {
  release { id status } errors { code field message } } }"""
APPROVE = """mutation($id: ID!) { approveNetworkRelease(id: $id) {
  release { id status approvedBy } errors { code field message } } }"""
POLE_RELEASES = """query($period: String) { poleNetworkReleases(period: $period) {
  release { id version status }
  hiddenCells { figure coordinates { dimension code } value secret reason
    intervalMin intervalMax } } }"""
RELEASE = """query($id: ID!) { networkRelease(id: $id) { id period version status
  pole { code name } cells { figure coordinates { dimension code label } value hidden reason }
  protection { primary secondary smallestInterval } } }"""
COMPARE = """query($figure: String!, $years: [Int!]!, $coords: String! = "") {
  networkComparison(figure: $figure, years: $years, coords: $coords) {
    years rows { pole { code name } years { year value published reason population
      per10000 change version } }
    totals { year value population per10000 incomplete poles } } }"""


@dataclass
class TestNetwork:
    network: Network
    a: Tenant
    b: Tenant


async def make_network(
    client: GraphQLClient, db: Database, a: Tenant, b: Tenant, k: int = 11
) -> TestNetwork:
    figures = {
        name: spec for name, (_, spec) in client.app.state.host.contributions.indicators.items()
    }
    async with db.reference_session() as session:
        network = await define_network(session, name="Réseau de test", k=k, actor="tests")
        for pole in (a, b):
            await add_pole(
                session,
                network,
                code=pole.slug,
                name=pole.name,
                departement=pole.departement_code,
                local=pole,
                actor="tests",
            )
        await set_catalogue(
            session,
            network,
            ENTRIES,
            figures,
            actor="tests",
            now=dt.datetime.now(dt.UTC),
        )
        await session.commit()
    return TestNetwork(network, a, b)


async def follow_children(
    db: Database, pole: Tenant, ages: dict[int, int], year: int = 2025
) -> None:
    """``ages``: age on the 1st of March of ``year`` → how many children of that age
    the pole follows from then on."""
    async with db.session(pole.id) as session:
        family = Family(
            name="Famille Fictive", search_name="famille fictive", commune_insee="62119"
        )
        session.add(family)
        await session.flush()
        for age, count in ages.items():
            for n in range(count):
                child = Child(
                    family_id=family.id,
                    first_name=f"Enfant{age}x{n}",
                    birth_date=dt.date(year - age, 1, 15),
                    commune_insee="62119",
                )
                session.add(child)
                await session.flush()
                session.add(
                    FollowUp(child_id=child.id, opened_on=dt.date(year, 3, 1), status="open")
                )
        await session.commit()


async def run(client: GraphQLClient, query: str, variables: dict[str, Any], **kw: Any) -> Any:
    result = await client.execute(query, variables, **kw)
    assert "errors" not in result, result
    return next(iter(result["data"].values()))


async def publish_directly(db: Database, poles: dict[str, Any], scale: int) -> str:
    """Published releases of poles of other installs, as the import stores them:
    ``poles`` maps a code to (population, children followed in 2024, in 2025; None when
    hidden). The PostgreSQL database is shared by the session's tests: codes get a tag,
    populations a scale of their own, so that other tests' poles are never the nearest.
    Returns the tag."""
    tag = uuid.uuid4().hex[:6]
    async with db.reference_session() as session:
        network = await the_network(session)
        for code, (population, *values) in poles.items():
            await store_published_pole(
                session,
                network,
                code=f"{code}-{tag}",
                name=f"Pôle {code}-{tag}",
                departement="63",
                years={
                    year: (population * scale, [("casework.children_followed", "", value)])
                    for year, value in zip((2024, 2025), values, strict=True)
                },
            )
        await session.commit()
    return tag
