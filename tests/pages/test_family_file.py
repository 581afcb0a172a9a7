"""A family's file through the real app, signed in as a coordinator holding the health
grant: its SQL statements stay the same whatever the number of its children and of its
loans of kits, and opening it writes the audit trail's read record of the health data,
as the API does. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from benchmarks.lists import StatementCounter
from core.access.actions import Actor
from core.api.pages import plain_id
from core.app.app import create_app
from core.audit.models import AuditEvent
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.accounts import access_token, ensure_membership, ensure_user
from tests.api.conftest import settings_for
from tests.conftest import DbUrls, make_tenant

FAMILY = """mutation { createFamily(input: { name: "Famille Fichier (fictif)",
  communeInsee: "62119", situation: "(fictif) garde alternée" }) {
  family { id } errors { code field } } }"""
CHILD = """mutation($f: ID!, $n: String!) { addChild(input: { familyId: $f, firstName: $n,
  birthDate: "2023-03-14", diagnosis: "(fictif) TSA", healthNotes: "(fictif) allergie" }) {
  child { id } errors { code field } } }"""
KIT = """mutation { createKit(input: { name: "Malle du dossier (fictif)", theme: "sensory",
  components: [{ name: "Balles", quantity: 4 }] }) { kit { id } errors { code field } } }"""
RESERVE = """mutation($input: KitReservationInput!) { reserveKit(input: $input) {
  loan { id } errors { code field message } } }"""
HEALTH = ["children.health", "families.situation"]


class Pole:
    """A coordinator of a new pole, over HTTP through the real ASGI app."""

    def __init__(self, app: Starlette, tenant: Tenant, headers: dict[str, str]) -> None:
        self.app, self.tenant, self.headers = app, tenant, headers
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers
        )

    async def api(self, query: str, **variables: Any) -> dict[str, Any]:
        answer = (
            await self.http.post("/graphql", json={"query": query, "variables": variables})
        ).json()
        assert "errors" not in answer, answer
        data: dict[str, Any] = answer["data"]
        payload = next(iter(data.values()))
        assert payload.get("errors") in (None, []), payload
        return payload  # type: ignore[no-any-return]


async def a_coordinator(db: Database, db_urls: DbUrls) -> tuple[Pole, str]:
    """A pole and its coordinator with the health grant; the audit actor's name."""
    tenant = await make_tenant(db, "62")
    app = create_app(settings_for(db_urls), db)
    actor = Actor(
        subject=f"test:dossier-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice (test)",
        roles=frozenset({"coordinator"}),
        grants=frozenset(HEALTH),
    )
    user = await ensure_user(app.state.auth, actor)
    await ensure_membership(app.state.auth, tenant, actor, user)
    token = await access_token(app.state.auth, user, tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": tenant.slug}
    return Pole(app, tenant, headers), f"user:{user.id}"


async def test_the_file_costs_the_same_statements_whatever_its_children_and_loans(
    db: Database, db_urls: DbUrls
) -> None:
    pole, _ = await a_coordinator(db, db_urls)
    family = (await pole.api(FAMILY))["family"]["id"]
    kit = (await pole.api(KIT))["kit"]["id"]
    start = dt.date.today() + dt.timedelta(days=30)
    measured, pages = [], []
    loans = 0
    for children in (1, 8):
        while loans < children:  # one loan of the kit a month, and one child more
            await pole.api(CHILD, f=family, n=f"Enfant{loans}")
            starts = start + dt.timedelta(days=30 * loans)
            reservation = {"kitId": kit, "familyId": family, "startsOn": starts.isoformat()}
            await pole.api(RESERVE, input={**reservation, "endsOn": starts.isoformat()})
            loans += 1
        assert (await pole.http.get(f"/familles/{family}")).status_code == 200  # warm-up
        with StatementCounter(db) as counter:
            answer = await pole.http.get(f"/familles/{family}")
        assert answer.status_code == 200
        measured.append(counter.count)
        pages.append(answer.text)
    await pole.http.aclose()
    assert measured[0] == measured[1], measured
    few, many = pages
    assert few.count("Enfant") < many.count("Enfant")
    assert many.count("/prets/") == 8 and few.count("/prets/") == 1
    assert many.count("(fictif) TSA") == 8  # the health data, for the grant's holder


async def test_opening_the_file_with_the_health_grant_writes_the_read_record(
    db: Database, db_urls: DbUrls
) -> None:
    pole, actor = await a_coordinator(db, db_urls)
    family = (await pole.api(FAMILY))["family"]["id"]
    child = (await pole.api(CHILD, f=family, n="Léo"))["child"]["id"]
    answer = await pole.http.get(f"/familles/{family}")
    await pole.http.aclose()
    assert answer.status_code == 200 and "(fictif) allergie" in answer.text
    async with db.session(pole.tenant.id) as session:
        events = (
            (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.action == "read", AuditEvent.actor == actor)
                )
            )
            .scalars()
            .all()
        )
    read = {(e.object_type, e.object_id): set(e.fields) for e in events}
    assert {"diagnosis", "healthNotes"} <= read[("Child", plain_id(child))]
    assert "situation" in read[("Family", plain_id(family))]
