"""Direct resolvers for the fields where strawberry's per-field machinery does nothing.

strawberry resolves a field that has a resolver or an extension through a chain built
for the general case: a strawberry ``Info``, the arguments converted, the extensions
folded with ``functools.partial``, then the resolver. On a page of 100 follow-ups that
is about a thousand fields per request, for resolvers that take no argument
(a record's ``id``, a nested list from its loader) and for person fields that read an
attribute and note the read. graphql-core calls ``GraphQLField.resolve`` itself; once
the schema is built, those fields get a resolver that does only their work, with the
same result and the same audit (docs/decisions.md, 117). Everything else — arguments,
gates, sensitive fields, plugin fields with extensions — keeps strawberry's path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.field import StrawberryField

from core.api.loaders import ready
from core.api.reads import ReadAudit, audited_attribute

Resolve = Callable[[Any, GraphQLResolveInfo], Any]


def _direct(
    field: StrawberryField, info_class: type, graphql_names: Sequence[str]
) -> Resolve | None:
    """A resolver calling ``field``'s own with the parent and, if it asks, strawberry's
    ``Info``; None when the field needs strawberry's path (arguments, extensions)."""
    resolver = field.base_resolver
    if resolver is None or field.extensions:
        return None
    # graphql-core hands over the arguments already coerced; strawberry would only
    # rename them and, for a scalar or an enum, pass the value on as it is (a list of
    # them copied). Any other argument (an input type, a Relay id, ``Maybe``) keeps
    # strawberry's conversion.
    if len(graphql_names) != len(field.arguments):
        return None
    names: dict[str, tuple[str, bool]] = {}
    # strawberry builds the field's GraphQL arguments from its arguments, in order.
    for graphql_name, argument in zip(graphql_names, field.arguments, strict=True):
        plain = _plain_argument(argument.type)
        if plain is None or argument.python_name is None:
            return None
        names[graphql_name] = (argument.python_name, plain)
    function = resolver.wrapped_func
    by_name: list[str] = []
    if resolver.parent_parameter is not None:
        by_name.append(resolver.parent_parameter.name)
    if resolver.root_parameter is not None:
        by_name.append(resolver.root_parameter.name)
    positional = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        kwargs = {name: source for name in by_name}
        for graphql_name, value in args.items():
            python_name, is_list = names[graphql_name]
            kwargs[python_name] = list(value) if is_list and value is not None else value
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        # A loader's future that already has its value (prefetched) answers the value.
        return ready(function(source, **kwargs) if positional else function(**kwargs))

    # Marks the resolver for core.app.execution, which may call it itself.
    resolve.direct = True  # type: ignore[attr-defined]
    return resolve


def _plain_argument(type_: Any) -> bool | None:
    """For an argument strawberry passes on unconverted: whether it is a list (copied,
    as strawberry does); None for one it converts."""
    if isinstance(type_, StrawberryMaybe):
        return None
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    is_list = isinstance(type_, StrawberryList)
    if is_list:
        type_ = type_.of_type
        if isinstance(type_, StrawberryOptional):
            type_ = type_.of_type
    if type_ in (int, str, bool, float, strawberry.ID) or isinstance(
        type_, StrawberryEnumDefinition
    ):
        return is_list
    if isinstance(type_, type) and has_enum_definition(type_):
        return is_list
    return None


def direct_resolvers(schema: GraphQLSchema, info_class: type) -> int:
    """Give the fields described above their direct resolver; how many took one."""
    count = 0
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for gql_field in type_.fields.values():
            field = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            resolve: Resolve | None
            if field.base_resolver is None and [type(e) for e in field.extensions] == [ReadAudit]:
                resolve = audited_attribute(field.python_name)
            else:
                resolve = _direct(field, info_class, list(gql_field.args))
            if resolve is not None:
                gql_field.resolve = resolve
                count += 1
    return count
