"""Audited reads of a person's record, and sensitive fields.

A type that holds a person's data declares its fields with ``person_field``: each
field that actually resolves is noted for the record (``Context.audit_read``), and
the request writes one ``read`` audit event per record with every field read —
names only, never values. ``person_field(sensitive="x.health.read")`` also puts the
field behind that (sensitive) action: without the explicit grant the field answers
null with FORBIDDEN and is not recorded as read.

The record's id is the object's ``uid`` (Relay NodeID) or ``id``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from core.api.gates import action_gate


def record_id(source: Any) -> str:
    object_id = getattr(source, "uid", None) or getattr(source, "key", None)
    if object_id is None:
        object_id = getattr(source, "id", None)
    if object_id is None:
        raise TypeError(f"{type(source).__name__}: a person's record needs a uid or id")
    return str(object_id)


def _note(source: Any, info: Info) -> None:
    # The GraphQL type name (what an auditor reads), from graphql-core's info.
    type_name = info._raw_info.parent_type.name
    info.context.audit_read(type_name, record_id(source), (info.field_name,))


def audited_attribute(name: str) -> Callable[[Any, GraphQLResolveInfo], Any]:
    """graphql-core's resolver for a person field that is an attribute: the value,
    then the read noted, as ``ReadAudit`` does, without strawberry's per-field
    ``Info``, arguments and extension chain (``core.app.resolvers``, decision 117)."""

    def resolve(source: Any, info: GraphQLResolveInfo) -> Any:
        value = getattr(source, name)
        info.context.audit_read(info.parent_type.name, record_id(source), (info.field_name,))
        return value

    # Marks the resolver for core.app.execution, which may answer the field itself.
    resolve.audited_attribute = name  # type: ignore[attr-defined]
    return resolve


class ReadAudit(FieldExtension):
    """Notes the field as read once it resolved (a refused field is not noted)."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        _note(source, info)
        return value

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        value = await next_(source, info, **kwargs)
        _note(source, info)
        return value


def person_field(
    *,
    sensitive: str | None = None,
    description: str | None = None,
    resolver: Callable[..., Any] | None = None,
    deprecation_reason: str | None = None,
) -> Any:
    """A field of a person's record: audited when read; behind ``sensitive`` (a
    sensitive action, granted explicitly) when given. Sensitive fields must be
    nullable: a refused one answers null with FORBIDDEN. With ``resolver`` (a nested
    list loaded only when selected) the read is noted once the resolver answered."""
    extensions: list[Any] = []
    if sensitive is not None:
        extensions.append(action_gate(sensitive))
    extensions.append(ReadAudit())
    if resolver is not None:
        return strawberry.field(
            resolver=resolver,
            description=description,
            extensions=extensions,
            deprecation_reason=deprecation_reason,
        )
    return strawberry.field(
        description=description, extensions=extensions, deprecation_reason=deprecation_reason
    )
