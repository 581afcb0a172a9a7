"""Text that no database can store is refused at the door, naming where it was.

PostgreSQL's ``text`` refuses the NUL character, and a lone UTF-16 surrogate (which
JSON's ``\\ud800`` escape can carry) is not Unicode: both would fail deep in a flush
and answer INTERNAL. One check of every string in the variables and in the
document's literals, before any resolver runs, answers VALIDATION instead, with the
path of the value (``input.description``), for core's fields and plugins' alike.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    visit,
)
from graphql.error import GraphQLError
from graphql.execution import ExecutionResult
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from core.errors import ErrorCode


def unstorable(text: str) -> bool:
    """True when the text holds a NUL or a lone surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_variables(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if unstorable(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and unstorable(key):
                yield path
            else:
                yield from bad_variables(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_variables(item, f"{path}.{index}")


def _bad_literal(value: ValueNode, path: str) -> Iterator[str]:
    if isinstance(value, StringValueNode):
        if unstorable(value.value):
            yield path
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _bad_literal(field.value, f"{path}.{field.name.value}")
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            yield from _bad_literal(item, f"{path}.{index}")


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.found.extend(_bad_literal(node.value, node.name.value))


def bad_literals(document: DocumentNode) -> list[str]:
    visitor = _Literals()
    visit(document, visitor)
    return visitor.found


# The literals are the document's: a document sent again (the usual case) is not
# walked again. Keyed by its text; the parsed document is the same for the same text.
_LITERALS: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_LITERALS_KEPT = 512


def _literals_of(query: str, document: DocumentNode | None) -> list[str]:
    found = _LITERALS.get(query)
    if found is not None:
        _LITERALS.move_to_end(query)
        return list(found)
    if document is None:
        return []
    found = _LITERALS[query] = tuple(bad_literals(document))
    while len(_LITERALS) > _LITERALS_KEPT:
        _LITERALS.popitem(last=False)
    return list(found)


class UnstorableText(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        found = list(bad_variables(context.variables or {}, "")) if context.variables else []
        found = [path.lstrip(".") for path in found]
        if context.query is not None:
            found += _literals_of(context.query, context.graphql_document)
        elif context.graphql_document is not None:
            found += bad_literals(context.graphql_document)
        if found:
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "texte refusé : caractère nul ou caractère Unicode invalide",
                        extensions={"code": str(ErrorCode.VALIDATION), "field": path},
                    )
                    for path in found
                ],
            )
        yield
