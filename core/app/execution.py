"""Leaf fields answered without graphql-core's per-field machinery.

Most of what a list query answers are leaf fields read from an attribute: a follow-up's
``status``, a child's ``firstName``, an intervention's ``date``. For each one graphql-core
builds a ``Path``, a ``GraphQLResolveInfo`` (strawberry's subclass), looks the field up,
calls strawberry's basic resolver, asks twice whether the result is awaitable, then
dispatches ``complete_value`` to ``complete_leaf_value``. On the comparison's nested list
(issue 14) that is about 2,200 of the 3,100 fields answered per request.

``LeafExecutionContext.execute_fields`` answers such a field itself when it can prove the
general path would give the same answer: the field's resolver is strawberry's basic one
(``getattr(source, python_name)``, no argument, no extension, no middleware) or core's
audited attribute (the same, then the read noted for the record's audit), its type is a
scalar or an enum, and the value coerces to a non-null output (or is None on a nullable
field). Anything else — a None on a non-null field, a value the scalar refuses, an
attribute that is missing — goes through graphql-core's own ``execute_field``, which
raises the located error exactly as before; a basic field has no side effect, so reading
it twice is harmless, and an audited one is noted only once it answered.

The plans are computed once per composed schema (``leaf_plans``), keyed by the
graphql-core object type, so the per-field cost is two dict look-ups and the coercion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from core.api.reads import record_id

_MISSING = object()


@dataclass(frozen=True, slots=True)
class LeafPlan:
    attribute: str
    coerce: Callable[[Any], Any]
    nullable: bool
    # The field's name in the schema, for the audit of a person's record; None when the
    # field is not a person field.
    audited_as: str | None


Plans = Mapping[GraphQLObjectType, Mapping[str, LeafPlan]]


def leaf_plans(schema: GraphQLSchema) -> dict[GraphQLObjectType, dict[str, LeafPlan]]:
    """The leaf fields of every object type that ``LeafExecutionContext`` may answer."""
    plans: dict[GraphQLObjectType, dict[str, LeafPlan]] = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        fields: dict[str, LeafPlan] = {}
        for name, gql_field in type_.fields.items():
            field = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or gql_field.args:
                continue
            output = gql_field.type
            nullable = not isinstance(output, GraphQLNonNull)
            named = output if nullable else output.of_type
            if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
                continue
            resolve = gql_field.resolve
            # strawberry marks more resolvers ``_is_default`` than its basic one (a field
            # with extensions and no resolver too): the field itself must be basic.
            if field.is_basic_field and getattr(resolve, "_is_default", False):
                audited_as = None
            elif getattr(resolve, "audited_attribute", None) == field.python_name:
                audited_as = name
            else:
                continue
            fields[name] = LeafPlan(
                attribute=field.python_name,
                coerce=named.coerce_output_value,
                nullable=nullable,
                audited_as=audited_as,
            )
        if fields:
            plans[type_] = fields
    return plans


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, answering the plain leaf fields described above."""

    plans: ClassVar[Plans] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plans = self.plans.get(parent_type)
        # strawberry always passes a manager; it wraps resolvers only when an extension
        # resolves fields, and then every field keeps the general path.
        middleware = self.middleware_manager
        if plans is None or (middleware is not None and middleware.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        answered: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, field_details_list in grouped_field_set.items():
            plan = plans.get(field_details_list[0].node.name.value)
            if plan is not None:
                value = _answer(plan, source_value)
                if value is not _MISSING:
                    if plan.audited_as is not None:
                        self.context_value.audit_read(
                            parent_type.name, record_id(source_value), (plan.audited_as,)
                        )
                    answered[response_name] = value
                    continue
            rest[response_name] = field_details_list
        if not rest:
            return _ordered(grouped_field_set, answered)
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if self.is_awaitable(others):

            async def merged() -> dict[str, Any]:
                return _ordered(grouped_field_set, answered, await others)  # type: ignore[misc]

            return merged()
        return _ordered(grouped_field_set, answered, others)  # type: ignore[arg-type]


def _answer(plan: LeafPlan, source: Any) -> Any:
    """The field's output, or ``_MISSING`` when only the general path can answer it."""
    value = getattr(source, plan.attribute, _MISSING)
    if value is None:
        return None if plan.nullable else _MISSING
    if value is _MISSING:
        return _MISSING
    try:
        coerced = plan.coerce(value)
    except Exception:
        return _MISSING
    if coerced is None or coerced is Undefined:
        return _MISSING
    return coerced


def _ordered(
    grouped_field_set: GroupedFieldSet,
    answered: dict[str, Any],
    others: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The response keys in the query's order, as the specification asks."""
    if others is None:
        return answered
    result: dict[str, Any] = {}
    for name in grouped_field_set:
        if name in answered:
            result[name] = answered[name]
        elif name in others:
            result[name] = others[name]
    return result


def execution_context_class(schema: GraphQLSchema) -> type[LeafExecutionContext]:
    """An execution context class holding this schema's plans (one per composed schema:
    a test composes several, with different plugins)."""
    return type("LeafExecutionContext", (LeafExecutionContext,), {"plans": leaf_plans(schema)})
