"""The schema speaks French to integrators, and describes what it names (decision 99).

The rule: every type the schema names (object, interface, input, enum, scalar) has a
description, and so does every root field (``Query``, ``Mutation`` and each plugin's
namespace of queries); object and input fields may go without one when their name says
it all. Every description there is, generated ones included, is French. The types of
the GraphQL specification itself (``String``, ``__Schema``…) are the specification's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from core.app.schema import build_schema
from tests.api.test_graphql import first_party_host

# Whole words that give English away; none is French.
ENGLISH = re.compile(
    r"\b(The|the|this|This|Pagination|Contains|object|represents|Date with time|An"
    r"|of|is|When|when|are|more|items|cursor to continue)\b"
)
SPECIFIED = {"String", "Int", "Float", "Boolean", "ID"}


def _schema() -> GraphQLSchema:
    return build_schema(first_party_host())._schema


def _own_types(schema: GraphQLSchema) -> Iterator[tuple[str, object]]:
    for name, type_ in sorted(schema.type_map.items()):
        if not name.startswith("__") and name not in SPECIFIED:
            yield name, type_


def _descriptions(schema: GraphQLSchema) -> Iterator[tuple[str, str]]:
    for name, type_ in _own_types(schema):
        yield name, type_.description or ""  # type: ignore[attr-defined]
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field.description or ""
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name})", arg.description or ""
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field.description or ""
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                yield f"{name}.{value_name}", value.description or ""


def english(text: str) -> list[str]:
    # Code spans (`first`, `pageInfo`) are names, not language.
    prose = " ".join(part for i, part in enumerate(text.split("`")) if i % 2 == 0)
    return ENGLISH.findall(prose)


def test_no_description_in_the_schema_is_english():
    found = {where: english(text) for where, text in _descriptions(_schema())}
    assert {where: words for where, words in found.items() if words} == {}


def test_the_generated_relay_and_pagination_texts_are_french():
    schema = _schema()
    node = schema.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    assert node.fields["id"].description is not None
    assert "identifiant global" in node.fields["id"].description.lower()
    page_info = schema.type_map["PageInfo"]
    assert isinstance(page_info, GraphQLObjectType)
    assert page_info.fields["endCursor"].description == (
        "Curseur du dernier élément de la page, à passer dans after pour la page "
        "suivante (null si la page est vide)."
    )
    assert schema.type_map["JSON"].description.startswith("Valeur JSON")  # type: ignore[union-attr]
    connection = schema.type_map["FamilyConnection"]
    assert isinstance(connection, GraphQLObjectType)
    assert connection.fields["pageInfo"].description == "État de la pagination de la page."
    assert connection.fields["totalCount"].description is not None


def test_every_type_and_every_root_field_has_a_description():
    schema = _schema()
    undescribed = [name for name, type_ in _own_types(schema) if not type_.description]  # type: ignore[attr-defined]
    roots: list[GraphQLObjectType] = [schema.query_type, schema.mutation_type]  # type: ignore[list-item]
    # Each plugin's queries: the type of its namespace field on Query.
    namespaces = [t for n, t in _own_types(schema) if n.endswith("Query") and n != "Query"]
    assert namespaces
    roots += namespaces  # type: ignore[arg-type]
    for root in roots:
        undescribed += [
            f"{root.name}.{name}" for name, field in root.fields.items() if not field.description
        ]
    assert undescribed == []


def test_the_giveaway_words_catch_strawberrys_english():
    """The test above would see strawberry's texts if the French pass were undone."""
    assert english("The Globally Unique ID of this object")
    assert english("Pagination data for this connection")
    assert english("Contains the nodes in this connection")
    assert not english("Identifiant global et unique de l'objet (à passer à `node(id:)`).")
