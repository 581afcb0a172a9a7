"""Partners reached through a follow-up or a child carry their contact people, like the
partners list does, in a fixed number of statements whatever the page (generated data
from benchmarks/generator.py: every partner has one contact)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event

from benchmarks.generator import generate
from core.tenancy.database import Database
from core.testing.client import GraphQLClient

FOLLOW_UPS = """query($first: Int) { followUps(first: $first) { edges { node {
  partners { name contacts { lastName function } }
  child { partners { partner { name contacts { lastName } } } } } } } }"""
FAMILIES = """query($first: Int) { families(first: $first) { edges { node {
  children { partners { partner { name contacts { lastName } } } } } } } }"""


async def test_linked_partners_carry_their_contacts_in_fixed_statements(
    client: GraphQLClient, db: Database
) -> None:
    (pole,) = await generate(db, poles=1, children=80, prefix=f"banc-{uuid.uuid4().hex[:8]}")
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    for query, key in ((FOLLOW_UPS, "followUps"), (FAMILIES, "families")):
        await client.execute(query, {"first": 1}, tenant=pole.tenant)  # sign-in outside
        measured = []
        for first in (10, 50):
            event.listen(db.engine.sync_engine, "before_cursor_execute", count)
            try:
                statements.clear()
                result = await client.execute(query, {"first": first}, tenant=pole.tenant)
            finally:
                event.remove(db.engine.sync_engine, "before_cursor_execute", count)
            assert "errors" not in result, result
            measured.append(len(statements))
            nodes = [e["node"] for e in result["data"][key]["edges"]]
            assert len(nodes) == first
            partners = [
                link["partner"]
                for node in nodes
                for child in ([node["child"]] if "child" in node else node["children"])
                for link in child["partners"]
            ] + [p for node in nodes for p in node.get("partners", [])]
            assert partners, key
            assert all(p["contacts"] for p in partners), (key, partners[:3])
        assert measured[0] == measured[1], (key, measured)
