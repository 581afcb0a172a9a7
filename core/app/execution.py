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
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry import relay
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


@dataclass(frozen=True, slots=True)
class CallPlan:
    """A scalar field whose resolver takes the record alone (``def id(self)``): nothing
    of the request reaches it, so calling it again on the general path is harmless."""

    call: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    nullable: bool


@dataclass(frozen=True, slots=True)
class RelayIdPlan:
    """A Relay ``id``: strawberry's ``Node._id`` builds ``GlobalID(type name, node id)``
    from the type's ``resolve_typename`` and ``resolve_id``; for a record whose class
    keeps both as ``relay.Node`` defines them, that is the parent type's name and the
    ``NodeID`` attribute (``vetted``: class -> that attribute, None if overridden)."""

    coerce: Callable[[Any], Any]
    vetted: dict[type, str | None]


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    """A field of an object type, or a list of one, whose resolver is an attribute or a
    direct resolver (``core.app.resolvers``): resolved and completed here while the values
    are at hand, with graphql-core's completion for anything else (an awaitable, a null
    where none is allowed, an abstract or unusual shape)."""

    field: GraphQLField
    # ``resolve(source, info, **args)``, or None for an attribute.
    resolve: Callable[..., Any] | None
    attribute: str
    # Whether the resolver reads the ``GraphQLResolveInfo`` (a direct resolver does).
    needs_info: bool
    nullable: bool
    is_list: bool
    item_nullable: bool
    # The list's item type as the schema has it (for an item's error), else None.
    item_type: Any
    object_type: GraphQLObjectType
    # strawberry's own ``is_type_of`` (an ``isinstance``; it never reads ``info``).
    is_type_of: Callable[[Any, Any], bool] | None


Plan = LeafPlan | CallPlan | RelayIdPlan | ObjectPlan
Plans = Mapping[GraphQLObjectType, Mapping[str, Plan]]

_RELAY_ID = relay.Node.__strawberry_definition__.fields[0].base_resolver.wrapped_func.__func__  # type: ignore[union-attr]


def _strawberrys_is_type_of(function: Any) -> bool:
    return function is None or function.__qualname__.endswith("_get_is_type_of.<locals>.is_type_of")


def _object_plan(gql_field: GraphQLField, field: StrawberryField) -> ObjectPlan | None:
    output = gql_field.type
    nullable = not isinstance(output, GraphQLNonNull)
    inner = output if nullable else output.of_type
    is_list = isinstance(inner, GraphQLList)
    item_nullable, item = True, None
    if is_list:
        item = inner.of_type
        item_nullable = not isinstance(item, GraphQLNonNull)
        inner = item if item_nullable else item.of_type
    if not isinstance(inner, GraphQLObjectType) or not _strawberrys_is_type_of(inner.is_type_of):
        return None
    resolve = gql_field.resolve
    if field.is_basic_field and getattr(resolve, "_is_default", False) and not gql_field.args:
        return ObjectPlan(
            gql_field,
            None,
            field.python_name,
            False,
            nullable,
            is_list,
            item_nullable,
            item,
            inner,
            inner.is_type_of,
        )
    if getattr(resolve, "direct", False):
        return ObjectPlan(
            gql_field,
            resolve,
            field.python_name,
            True,
            nullable,
            is_list,
            item_nullable,
            item,
            inner,
            inner.is_type_of,
        )
    return None


def _scalar_call_plan(
    gql_field: GraphQLField, field: StrawberryField, coerce: Callable[[Any], Any], nullable: bool
) -> Plan | None:
    resolver = field.base_resolver
    if resolver is None or field.arguments or field.extensions or gql_field.args:
        return None
    if not getattr(gql_field.resolve, "direct", False):
        return None
    if getattr(resolver.wrapped_func, "__func__", None) is _RELAY_ID and not nullable:
        return RelayIdPlan(coerce, {})
    if (
        resolver.self_parameter is not None
        and resolver.info_parameter is None
        and resolver.parent_parameter is None
        and resolver.root_parameter is None
        and not resolver.arguments
    ):
        return CallPlan(resolver.wrapped_func, coerce, nullable)
    return None


def leaf_plans(schema: GraphQLSchema) -> dict[GraphQLObjectType, dict[str, Plan]]:
    """The fields of every object type that ``LeafExecutionContext`` may answer."""
    plans: dict[GraphQLObjectType, dict[str, Plan]] = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        fields: dict[str, Plan] = {}
        for name, gql_field in type_.fields.items():
            field = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            output = gql_field.type
            nullable = not isinstance(output, GraphQLNonNull)
            named = output if nullable else output.of_type
            if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
                plan = _object_plan(gql_field, field)
                if plan is not None:
                    fields[name] = plan
                continue
            call = _scalar_call_plan(gql_field, field, named.coerce_output_value, nullable)
            if call is not None:
                fields[name] = call
                continue
            if gql_field.args:
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
        pending: list[str] = []
        for response_name, field_details_list in grouped_field_set.items():
            plan = plans.get(field_details_list[0].node.name.value)
            if plan is not None:
                kind = type(plan)
                if kind is ObjectPlan:
                    value = self._execute_object(
                        plan,  # type: ignore[arg-type]
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    answered[response_name] = value
                    if self.is_awaitable(value):
                        pending.append(response_name)
                    continue
                if kind is LeafPlan:
                    value = _answer(plan, source_value)  # type: ignore[arg-type]
                elif kind is RelayIdPlan:
                    value = _relay_id(plan, parent_type, source_value)  # type: ignore[arg-type]
                else:
                    value = _call(plan, source_value)  # type: ignore[arg-type]
                if value is not _MISSING:
                    if kind is LeafPlan and plan.audited_as is not None:  # type: ignore[union-attr]
                        self.context_value.audit_read(
                            parent_type.name,
                            record_id(source_value),
                            (plan.audited_as,),  # type: ignore[union-attr]
                        )
                    answered[response_name] = value
                    continue
            rest[response_name] = field_details_list
        if pending:
            return self._settled(
                grouped_field_set,
                answered,
                pending,
                rest,
                parent_type,
                source_value,
                path,
                position_context,
            )
        if not rest:
            return _ordered(grouped_field_set, answered)
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if self.is_awaitable(others):

            async def merged() -> dict[str, Any]:
                return _ordered(grouped_field_set, answered, await others)  # type: ignore[misc]

            return merged()
        return _ordered(grouped_field_set, answered, others)  # type: ignore[arg-type]

    def _settled(
        self,
        grouped_field_set: GroupedFieldSet,
        answered: dict[str, Any],
        pending: list[str],
        rest: GroupedFieldSet,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """Some planned fields answered an awaitable: the rest runs now, as graphql-core
        would have run it, then everything is awaited together."""
        try:
            others = (
                super().execute_fields(parent_type, source_value, path, rest, position_context)
                if rest
                else {}
            )
        except Exception:
            self.settle_in_background([answered[name] for name in pending])
            raise

        async def merged() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(answered[name] for name in pending))
            answered.update(zip(pending, awaited, strict=True))
            done = await others if self.is_awaitable(others) else others
            return _ordered(grouped_field_set, answered, done)  # type: ignore[arg-type]

        return merged()

    def _execute_object(
        self,
        plan: ObjectPlan,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_field`` for an object field, less its per-field work:
        no ``GraphQLResolveInfo`` unless the resolver reads one, and the values completed
        here while they are plain; the same errors, at the same paths, otherwise."""
        field = plan.field
        info = None
        try:
            if plan.resolve is None:
                result = getattr(source, plan.attribute)
            else:
                info = self.build_resolve_info(
                    field, to_nodes(field_details_list), parent_type, path
                )
                node = field_details_list[0].node
                args = (
                    get_argument_values(
                        field,
                        node,
                        self.variable_values,
                        field_details_list[0].fragment_variable_values,
                        self.hide_suggestions,
                    )
                    if field.args or node.arguments
                    else {}
                )
                result = plan.resolve(source, info, **args)
            if self.is_awaitable(result) or not self._plain(plan, result, field_details_list):
                if info is None:
                    info = self.build_resolve_info(
                        field, to_nodes(field_details_list), parent_type, path
                    )
                if self.is_awaitable(result):
                    return self.complete_awaitable_value(
                        field.type, field_details_list, info, path, result, position_context
                    )
                completed = self.complete_value(
                    field.type, field_details_list, info, path, result, position_context
                )
            elif result is None:
                return None
            elif plan.is_list:
                completed = self._complete_list(
                    plan, field_details_list, path, result, position_context
                )
            else:
                completed = self.collect_and_execute_subfields(
                    plan.object_type, field_details_list, path, result, position_context
                )
            if self.is_awaitable(completed):
                return self._await_completed(completed, field.type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.type, field_details_list, path)
            return None
        return completed

    def _plain(self, plan: ObjectPlan, result: Any, field_details_list: FieldDetailsList) -> bool:
        """Whether the value completes here: present where required, of the planned
        type, a list (no ``@stream``) of such values without awaitables."""
        if result is None:
            return plan.nullable
        is_type_of = plan.is_type_of
        if not plan.is_list:
            return is_type_of is None or bool(is_type_of(result, None))
        if not isinstance(result, list) or field_details_list[0].node.directives:
            return False
        is_awaitable = self.is_awaitable
        for item in result:
            if item is None:
                if not plan.item_nullable:
                    return False
            elif is_awaitable(item) or (is_type_of is not None and not is_type_of(item, None)):
                return False
        return True

    def _complete_list(
        self,
        plan: ObjectPlan,
        field_details_list: FieldDetailsList,
        path: Path,
        items: list[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """graphql-core's ``complete_iterable_value`` for plain items (``_plain``)."""
        object_type = plan.object_type
        # Every item has the same sub-fields: collected once (graphql-core memoizes them
        # too, then goes through two calls per item to reach ``execute_fields``). Outside
        # a deferred fragment and without one, that is all those calls do.
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        direct = position_context is None and not new_defer_usages
        execute_fields = self.execute_fields
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(items):
            if item is None:
                completed.append(None)
                continue
            item_path = path.add_key(index, None)
            try:
                value = (
                    execute_fields(object_type, item, item_path, grouped_field_set, None)
                    if direct
                    else self.collect_and_execute_subfields(
                        object_type, field_details_list, item_path, item, position_context
                    )
                )
                if self.is_awaitable(value):
                    value = self._await_completed(
                        value, plan.item_type, field_details_list, item_path
                    )
                    awaitable_indices.append(index)
                completed.append(value)
            except Exception as raw_error:
                self.handle_field_error(raw_error, plan.item_type, field_details_list, item_path)
                completed.append(None)
        if not awaitable_indices:
            return completed

        async def gathered() -> list[Any]:
            awaited = await gather_with_cancel(*(completed[i] for i in awaitable_indices))
            for index, value in zip(awaitable_indices, awaited, strict=True):
                completed[index] = value
            return completed

        return gathered()

    async def _await_completed(
        self, completed: Any, return_type: Any, field_details_list: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


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


def _call(plan: CallPlan, source: Any) -> Any:
    try:
        value = plan.call(source)
    except Exception:
        return _MISSING
    if value is None:
        return None if plan.nullable else _MISSING
    try:
        coerced = plan.coerce(value)
    except Exception:
        return _MISSING
    if coerced is None or coerced is Undefined:
        return _MISSING
    return coerced


def _relay_id(plan: RelayIdPlan, parent_type: GraphQLObjectType, source: Any) -> Any:
    cls = type(source)
    vetted = plan.vetted
    if cls in vetted:
        attribute = vetted[cls]
    else:
        plain = (
            isinstance(source, relay.Node)
            and cls.resolve_id.__func__ is relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
            and cls.resolve_typename.__func__ is relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
        )
        attribute = vetted[cls] = cls.resolve_id_attr() if plain else None
    if attribute is None:
        return _MISSING
    node_id = getattr(source, attribute, None)
    if node_id is None:
        return _MISSING
    try:
        coerced = plan.coerce(relay.GlobalID(type_name=parent_type.name, node_id=str(node_id)))
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
