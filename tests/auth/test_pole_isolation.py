"""A member of pole A presenting pole B in any way — header, session, sign-in,
switchTenant, global ids, a tampered session row — gets nothing of B."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from strawberry import relay

from core.access.actions import Actor
from core.auth.models import AuthSession
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.auth.test_accounts import PASSWORD, person

AREAS = "{ serviceAreas { id name } }"


def _coordinator() -> Actor:
    return Actor(
        subject=f"test:iso-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice du pôle A",
        roles=frozenset({"coordinator", "pole_admin"}),
    )


async def test_a_member_of_a_presenting_b_gets_nothing_of_b(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    member_of_b = await client.execute(AREAS, tenant=b, actor=_coordinator())
    b_area_id = member_of_b["data"]["serviceAreas"][0]["id"]

    actor = _coordinator()
    own = await client.auth_headers(a, actor)
    assert (await client.execute(AREAS, headers=own))["data"]["serviceAreas"][0]["name"] == (
        "Artois"
    )

    # 1. The pole header naming B.
    as_b = {**own, "x-maillage-tenant": b.slug}
    result = await client.execute(AREAS, headers=as_b)
    assert result["data"] is None and error_codes(result) == ["FORBIDDEN"]
    assert (await client.execute("{ tenant { slug } }", headers=as_b))["data"]["tenant"] is None
    # 2. B's objects by global id, from A or while naming B.
    node = f'{{ node(id: "{b_area_id}") {{ id }} }}'
    assert (await client.execute(node, headers=own))["data"]["node"] is None
    assert (await client.execute(node, headers=as_b))["data"]["node"] is None
    forged_id = relay.to_base64("ServiceArea", relay.from_base64(b_area_id)[1])
    assert (await client.execute(f'{{ node(id: "{forged_id}") {{ id }} }}', headers=own))["data"][
        "node"
    ] is None
    # 3. switchTenant to B.
    switch = "mutation($p: String!) { switchTenant(pole: $p) { errors { code field } } }"
    refused = await client.execute(switch, {"p": b.slug}, headers=own)
    assert refused["data"]["switchTenant"]["errors"] == [{"code": "VALIDATION", "field": "pole"}]
    # 4. A session row pointing at B (tampered in the database): the membership read
    #    on each request refuses it.
    async with db.reference_session() as session:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.user_id.is_not(None))
            .where(AuthSession.current_tenant_id == a.id)
            .values(current_tenant_id=b.id)
        )
        await session.commit()
    bare = {"authorization": own["authorization"]}
    tampered = await client.execute(AREAS, headers=bare)
    assert tampered["data"] is None and error_codes(tampered) == ["FORBIDDEN"]
    # 5. Two poles named at once.
    both = await client.http.post(
        "/graphql",
        json={"query": AREAS},
        headers=[
            ("authorization", own["authorization"]),
            ("x-maillage-tenant", a.slug),
            ("x-maillage-tenant", b.slug),
        ],
    )
    assert both.status_code == 401


async def test_signing_in_to_a_pole_one_is_not_a_member_of_is_refused(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["coordinator"]))
    refused = await client.http.post(
        "/auth/login", json={"email": who.email, "password": PASSWORD, "pole": two_poles.b.slug}
    )
    assert refused.status_code == 401 and refused.json()["error"]["field"] == "pole"
    ok = await client.http.post(
        "/auth/login", json={"email": who.email, "password": PASSWORD, "pole": two_poles.a.slug}
    )
    assert ok.status_code == 200 and ok.json()["poles"] == [two_poles.a.slug]
