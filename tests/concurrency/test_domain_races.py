"""Double booking and invoice numbering under real parallel requests, over HTTP, on both
databases: the database decides, every request gets an answer, none a 500."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from core.auth.models import Membership, User
from tests.concurrency.conftest import LiveDatabase, unique_address
from tests.concurrency.test_throttle_burst import PASSWORD, _hash
from tests.conftest import make_tenant

pytestmark = pytest.mark.concurrency

PARALLEL = 10


@asynccontextmanager
async def signed_in(live: LiveDatabase, *roles: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in (bearer) as a new member of a new pole."""
    pole = await make_tenant(live.db, "62")
    email = f"course-{uuid.uuid4().hex[:10]}@exemple.fr"
    async with live.db.reference_session() as session:
        user = User(email=email, display_name="Animatrice de test", password_hash=_hash())
        session.add(user)
        await session.commit()
    async with live.db.session(pole.id) as session:
        session.add(Membership(user_id=user.id, roles=list(roles)))
        await session.commit()
    limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
    async with httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60) as client:
        response = await client.post(
            "/auth/login",
            json={"email": email, "password": PASSWORD},
            headers={"x-forwarded-for": unique_address()},
        )
        assert response.status_code == 200, response.text
        client.headers["authorization"] = f"Bearer {response.json()['access_token']}"
        yield client


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> tuple[int, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    return response.status_code, response.json()


async def data(client: httpx.AsyncClient, query: str, **variables: Any) -> Any:
    status, body = await gql(client, query, **variables)
    assert status == 200 and "errors" not in body, body
    return body["data"]


async def test_parallel_reservations_of_one_kit_leave_exactly_one(live: LiveDatabase) -> None:
    async with signed_in(live, "staff") as client:
        kit = await data(
            client,
            """mutation($input: KitInput!) { createKit(input: $input) {
              kit { id } errors { code field } } }""",
            input={
                "name": "Malle des émotions",
                "theme": "emotions",
                "series": "",
                "ageMinMonths": 24,
                "ageMaxMonths": 72,
                "description": "(fictif)",
                "components": [{"name": "Livres", "quantity": 5}],
            },
        )
        structure = await data(
            client,
            """mutation($input: StructureInput!) { createStructure(input: $input) {
              structure { id } errors { code field } } }""",
            input={"name": "Crèche Les Lutins", "kind": "eaje", "communeInsee": "62119"},
        )
        reserve = """mutation($input: KitReservationInput!) { reserveKit(input: $input) {
          loan { id } errors { code field } } }"""
        answers = await asyncio.gather(
            *(
                gql(
                    client,
                    reserve,
                    input={
                        "kitId": kit["createKit"]["kit"]["id"],
                        "structureId": structure["createStructure"]["structure"]["id"],
                        "startsOn": f"2026-10-{5 + i:02d}",  # every period overlaps the others
                    },
                )
                for i in range(PARALLEL)
            )
        )
    assert Counter(status for status, _ in answers) == {200: PARALLEL}, answers
    payloads = [body["data"]["reserveKit"] for _, body in answers]
    assert sum(1 for p in payloads if p["loan"]) == 1, payloads
    assert [p["errors"] for p in payloads if not p["loan"]] == [
        [{"code": "CONFLICT", "field": "kitId"}]
    ] * (PARALLEL - 1)


async def test_parallel_issues_get_consecutive_invoice_numbers(live: LiveDatabase) -> None:
    async with signed_in(live, "coordinator") as client:
        drafts = []
        for _ in range(PARALLEL):
            made = await data(
                client,
                """mutation($input: InvoiceInput!) { createInvoice(input: $input) {
                  invoice { id } errors { code field } } }""",
                input={
                    "lines": [{"label": "Atelier (fictif)", "unitCents": 1000}],
                    "customerName": "Client",
                },
            )
            drafts.append(made["createInvoice"]["invoice"]["id"])
        issue = """mutation($id: ID!, $on: Date!) { issueInvoice(id: $id, issuedOn: $on) {
          invoice { number } errors { code field } } }"""
        answers = await asyncio.gather(
            *(gql(client, issue, id=draft, on="2026-02-02") for draft in drafts)
        )
    assert Counter(status for status, _ in answers) == {200: PARALLEL}, answers
    numbers = sorted(body["data"]["issueInvoice"]["invoice"]["number"] for _, body in answers)
    assert numbers == [f"2026-{n:04d}" for n in range(1, PARALLEL + 1)]
