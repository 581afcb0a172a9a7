"""Object fields and lists completed by ``core.app.execution`` (decision 190) answer what
strawberry answers without them: the same data, the same errors with the same messages at
the same paths, when an object, a list or one of its items is broken."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry import relay
from strawberry.types import Info

from core.app.execution import CallPlan, ObjectPlan, RelayIdPlan, execution_context_class
from core.app.resolvers import direct_resolvers


@strawberry.type
class Toy:
    name: str


@strawberry.type
class Pet(relay.Node):
    uid: relay.NodeID[str]
    name: str
    owner: Toy | None
    favourite: Toy
    toys: list[Toy]
    maybe_toys: list[Toy | None] | None

    @strawberry.field
    def code(self) -> str:
        return f"P-{self.uid}"

    @strawberry.field
    def first_toys(self, info: Info, first: int | None = None) -> list[Toy]:
        assert info.context is not None
        return self.toys if first is None else self.toys[:first]

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        return []


def _pets() -> list[Pet | None]:
    ball, rope = Toy(name="balle"), Toy(name="corde")
    return [
        Pet(
            uid="1",
            name="Rex",
            owner=ball,
            favourite=rope,
            toys=[ball, rope],
            maybe_toys=[ball, None],
        ),
        # A null on a non-null object field: the pet is nulled, the error at favourite.
        Pet(uid="2", name="Minou", owner=None, favourite=None, toys=[], maybe_toys=None),  # type: ignore[arg-type]
        # A null item in a list of non-null items: the pet is nulled, the error at toys.1.
        Pet(uid="3", name="Bulle", owner=None, favourite=ball, toys=[ball, None], maybe_toys=[]),  # type: ignore[list-item]
        # An item of another type: the error at toys.0.
        Pet(
            uid="4", name="Nemo", owner=ball, favourite=ball, toys=["pas un jouet"], maybe_toys=None
        ),  # type: ignore[list-item]
        # Not a pet at all: Pet's is_type_of refuses it, the error at pets.4.
        Toy(name="intrus"),  # type: ignore[list-item]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def pets(self) -> list[Pet | None]:
        return _pets()


QUERY = """{ pets { id code name owner { name } favourite { name } toys { name }
  maybeToys { name } firstToys(first: 1) { name } again: toys { toyName: name } } }"""


@pytest.mark.parametrize("query", [QUERY, "{ pets { id firstToys { name } } }"])
async def test_objects_and_lists_answer_what_strawberry_answers(query: str) -> None:
    plain = strawberry.Schema(query=Query)
    fast = strawberry.Schema(query=Query)
    direct_resolvers(fast._schema, fast.config.info_class)
    fast.execution_context_class = execution_context_class(fast._schema)
    pet = fast._schema.type_map["Pet"]
    assert isinstance(pet, GraphQLObjectType)
    plans = fast.execution_context_class.plans[pet]
    assert isinstance(plans["id"], RelayIdPlan) and isinstance(plans["code"], CallPlan)
    assert all(
        isinstance(plans[name], ObjectPlan)
        for name in ("owner", "favourite", "toys", "maybeToys", "firstToys")
    )
    context = {"who": "test"}
    expected = await plain.execute(query, context_value=context)
    got = await fast.execute(query, context_value=context)
    assert got.data == expected.data
    assert repr(got.data) == repr(expected.data)  # key order too
    assert sorted((e.message, tuple(e.path or ())) for e in got.errors or []) == sorted(
        (e.message, tuple(e.path or ())) for e in expected.errors or []
    )
    if query == QUERY:
        paths = {tuple(e.path or ()) for e in got.errors or []}
        assert paths == {
            ("pets", 1, "favourite"),
            ("pets", 2, "toys", 1),
            ("pets", 3, "toys", 0, "name"),
            ("pets", 4),
        }
