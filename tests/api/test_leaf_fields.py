"""Plain leaf fields answered by ``core.app.execution`` (decision 129) answer exactly what
graphql-core's general path answers: same values, same key order, same errors at the
same paths, the same audit of a person's record — only with less work per field.

Each query is sent twice over the app's HTTP interface: once as served, once with the
schema's plans emptied (every field through graphql-core), and the two JSON bodies must
be equal."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType

from core.app.execution import LeafExecutionContext, execution_context_class
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.domain.test_loading import actor, fill

# Aliases, a field asked twice, fragments, __typename, nulls (closedOn, outcome) and
# enums-as-objects, person fields (firstName, birthDate: audited), Relay ids.
NESTED = """
fragment childBits on Child { birthDate prenom: firstName __typename }
query($first: Int) { followUps(first: $first) { totalCount edges { cursor node {
  closedOn id openedOn openedAgain: openedOn status { value label } outcome { value }
  child { ...childBits firstName id communeInsee }
  structures { name id kind kindLabel active capacity }
  interventions { durationMinutes id happenedOn kind { label value } travelKm place }
  lastTwo: interventions(last: 2) { id happenedOn }
} } } }
"""
DIRECTORY = """
query { structures(first: 20) { edges { node { name active kind kindLabel email phone
  contacts { id } } } } }
"""


@pytest.fixture
async def pole(db: Database, two_poles: TwoPoles) -> Any:
    await fill(db, two_poles.a, 12)
    return two_poles.a


def _context_class(client: GraphQLClient) -> type[LeafExecutionContext]:
    schema = client.app.state.graphql.schema
    assert issubclass(schema.execution_context_class, LeafExecutionContext)
    return schema.execution_context_class


@pytest.mark.parametrize("query", [NESTED, DIRECTORY], ids=["nested", "directory"])
async def test_leaf_fields_answer_what_graphql_core_answers(
    client: GraphQLClient, pole: Any, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = actor()
    served = await client.execute(query, {"first": 12}, tenant=pole, actor=who)
    assert "errors" not in served, served
    context_class = _context_class(client)
    assert context_class.plans, "no plan: the fast path is not in use"
    monkeypatch.setattr(context_class, "plans", {})
    general = await client.execute(query, {"first": 12}, tenant=pole, actor=who)
    assert served == general
    # Key order too: a client may rely on the order the query asked for.
    assert repr(served) == repr(general)


@strawberry.type
class Pet:
    name: str
    nickname: str | None
    age: int


@strawberry.type
class Query:
    @strawberry.field
    def pets(self) -> list[Pet | None]:
        # The second pet breaks its non-null ``name``; the third its Int ``age``.
        return [
            Pet(name="Rex", nickname=None, age=3),
            Pet(name=None, nickname="Minou", age=2),  # type: ignore[arg-type]
            Pet(name="Bulle", nickname="B", age="vieux"),  # type: ignore[arg-type]
        ]


async def test_a_broken_value_raises_the_error_graphql_core_raises() -> None:
    """A None on a non-null field and a value its scalar refuses go through graphql-core,
    which nulls the parent and locates the error, exactly as without the fast path."""
    query = "{ pets { age name nickname alias: name } }"
    plain = strawberry.Schema(query=Query)
    fast = strawberry.Schema(query=Query)
    fast.execution_context_class = execution_context_class(fast._schema)
    pet = fast._schema.type_map["Pet"]
    assert isinstance(pet, GraphQLObjectType)
    assert set(fast.execution_context_class.plans[pet]) == {"name", "nickname", "age"}
    expected, got = await plain.execute(query), await fast.execute(query)
    assert (
        got.data
        == expected.data
        == {"pets": [{"age": 3, "name": "Rex", "nickname": None, "alias": "Rex"}, None, None]}
    )
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]
    assert {tuple(e.path) for e in got.errors or []} == {("pets", 1, "name"), ("pets", 2, "age")}
