"""The module's demo data in a pole that has a team, a family association and core's
kits (as the Pas-de-Calais demo pole has them): the days name who ran each group — the
pole's team, a partner — and the kits they took, one day is cancelled with its reason;
seeding again changes nothing. Read back through GraphQL, as the screens read it."""

from __future__ import annotations

from typing import Any

from core.demo.seed import seed_plugin
from core.domain.kits.models import Kit
from core.domain.structures.models import Partner
from tests.plugins.snu_sessions.operations import SESSIONS, payload

SESSION_LIST = SESSIONS.replace("materials { id name }", "materials { name }")
STAFF = "query { snuSessions { staffMembers { displayName } } }"


async def _pole_with_team_and_kits(
    make_tenant: Any, graphql: Any, maillage_db: Any, make_actor: Any
) -> Any:
    tenant = await make_tenant("62")
    async with maillage_db.session(tenant.id) as session:
        for name in ("Malle boccia et jeux adaptés", "Malle jeux coopératifs", "Malle Snoezelen"):
            session.add(Kit(name=name, search_name=name.lower(), theme="other"))
        session.add(
            Partner(
                name="Association de familles Les Copains (fictive)",
                search_name="association de familles les copains fictive",
                kind="family_association",
            )
        )
        await session.commit()
    # Members of the team sign in once: their memberships exist (a coordinator, an
    # « animateur »), with a family's account beside them that runs nothing.
    for roles, subject in ((("coordinator",), "demo:coord"), (("staff",), "demo:anim")):
        await graphql.execute(STAFF, tenant=tenant, actor=make_actor(*roles, subject=subject))
    await graphql.execute(STAFF, tenant=tenant, actor=make_actor("family", subject="demo:fam"))
    return tenant


async def _days(graphql: Any, tenant: Any) -> list[dict[str, Any]]:
    listed = payload(await graphql.execute(SESSION_LIST, tenant=tenant), "snuSessions")
    return [e["node"] for e in listed["sessions"]["edges"]]


async def test_the_demo_days_name_their_facilitators_and_kits_and_seed_once(
    make_tenant: Any,
    enable_plugin: Any,
    graphql: Any,
    maillage_db: Any,
    maillage_host: Any,
    make_actor: Any,
) -> None:
    tenant = await _pole_with_team_and_kits(make_tenant, graphql, maillage_db, make_actor)
    await enable_plugin(tenant, "snu_sessions")
    await seed_plugin(maillage_host, maillage_db, tenant, "snu_sessions")
    days = await _days(graphql, tenant)
    assert len(days) == 4
    cancelled = [d for d in days if d["status"]["value"] == "cancelled"]
    assert [(d["centre"], d["cancelReason"]["value"]) for d in cancelled] == [
        ("Centre SNU du lycée des Peupliers (fictif)", "snu_cancelled")
    ]
    assert cancelled[0]["present"] is None and cancelled[0]["quiz"] is None

    team = {"Personne de test"}  # the two members' display name (make_actor's)
    partner = "Association de familles Les Copains (fictive)"
    for day in days:
        assert day["materials"], day["centre"]
        assert {m["name"] for m in day["materials"]} <= {
            "Malle boccia et jeux adaptés",
            "Malle jeux coopératifs",
        }
        names = set()
        for group in day["groups"]:
            people = [
                f["staffMember"]["displayName"] if f["staffMember"] else f["partner"]["name"]
                for f in group["facilitators"]
            ]
            assert people, (day["centre"], group["name"])
            names.update(people)
        # Each day: its groups run by the team, one of them with the partner.
        assert names == team | {partner}, day["centre"]
    first = next(d for d in days if d["centre"].startswith("Centre SNU du lycée des Glycines"))
    assert [m["name"] for m in first["materials"]] == [
        "Malle boccia et jeux adaptés",
        "Malle jeux coopératifs",
    ]

    await seed_plugin(maillage_host, maillage_db, tenant, "snu_sessions")
    assert await _days(graphql, tenant) == days
