"""The one GraphQL schema, composed once per process from the graphql hook.

Core features first (their query and mutation types merged at the root, in
registration order), then plugins sorted by name: each plugin's query type under one
nullable namespace field gated by ``PluginEnabled``, its mutations at the root,
prefixed and gated. Duplicate fields or types, unprefixed plugin types and ungated
plugin mutations stop startup with a message naming the plugin.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, parse
from strawberry import relay
from strawberry.exceptions import DuplicatedTypeName
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition
from strawberry.types.info import Info

from core.api.errors import CodedErrors
from core.api.gates import gated_plugin, plugin_gate
from core.api.scalars import SCALARS
from core.api.texts import UnstorableText
from core.api.validation_cache import CachedValidation, ValidDocuments
from core.app.authn import CsrfGuard
from core.app.descriptions import frenchify
from core.app.execution import execution_context_class
from core.app.metrics import ObservedOperation
from core.app.resolvers import direct_resolvers
from core.plugins.host import CORE, PluginHost, PluginStartupError
from core.plugins.manifest import Plugin

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 3000
PARSED_DOCUMENTS = 512


def ambiguous_operation(query: str | None, operation_name: str | None) -> GraphQLError | None:
    """A document of several operations sent without ``operationName``: refused, as
    the GraphQL-over-HTTP spec asks (strawberry would run the first one). None when
    the document can run as sent; a malformed one is left to the usual parser error."""
    if operation_name is not None or not query:
        return None
    operations = _operation_names(query)
    if operations is None or len(operations) < 2:
        return None
    names = ", ".join(name for name in operations if name) or "sans nom"
    return GraphQLError(
        f"le document contient {len(operations)} opérations ({names}) : "
        "indiquez laquelle exécuter dans operationName",
        extensions={"code": "VALIDATION", "field": "operationName"},
    )


@functools.lru_cache(maxsize=PARSED_DOCUMENTS)
def _operation_names(query: str) -> tuple[str | None, ...] | None:
    """The names of a document's operations (None for an unnamed one); None when it does
    not parse. Kept per text: clients send the same few documents again and again, and
    parsing one each time cost more than the check itself."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError:
        return None
    return tuple(
        d.name.value if d.name else None
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


class MaillageSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        """Silence strawberry's own error log: it prints the query text, which may hold
        personal data. CodedErrors logs unexpected errors, with the request id only."""


@dataclass(frozen=True)
class ComposedSchema:
    schema: strawberry.Schema
    # Relay node type name -> (owner, type): the ``node`` field resolves through it.
    nodes: Mapping[str, tuple[str, type[relay.Node]]]


def _fields(type_: type) -> list[Any]:
    definition = get_object_definition(type_, strict=True)
    return list(definition.fields)


def _graphql_name(field: Any, config: StrawberryConfig) -> str:
    return config.name_converter.get_graphql_name(field)


def _namespace_field(manifest: Plugin, query_type: type) -> Any:
    """``<plugin>: <Plugin>Query`` — null with PLUGIN_DISABLED unless the pole enabled it."""

    def resolve() -> Any:
        return query_type()

    resolve.__annotations__["return"] = query_type | None
    resolve.__name__ = f"resolve_{manifest.name}"
    return strawberry.field(
        resolver=resolve,
        name=manifest.field_name,
        description=f"Module « {manifest.title} » — {manifest.description} "
        "(null, avec l'erreur PLUGIN_DISABLED, si le pôle ne l'a pas activé).",
        extensions=[plugin_gate(manifest.name)],
    )


def _package_of(obj: object) -> str:
    name = getattr(obj, "__name__", None) if isinstance(obj, type(sys)) else None
    return name or type(obj).__module__


# Composed schemas of this process, by what they are built from (``_composition``). An
# install builds its schema once per process; the test suite builds an app for each of
# some five hundred tests from the same classes, and composing cost 0.3–0.5 s of CPU each
# time (strawberry's conversion of some 400 types). A schema is a pure function of the
# contributed classes and the introspection switch, and holds no per-app state (its
# validation cache is of documents valid for it, whichever app asks).
_COMPOSED: dict[Hashable, ComposedSchema] = {}
_COMPOSED_KEPT = 8


def _composition(host: PluginHost, introspection: bool) -> Hashable:
    """What ``compose`` reads of the host: each contribution's classes with the manifest
    that names its namespace, and every plugin's package and prefix."""
    parts = []
    for owner, contribution in host.contributions.graphql:
        manifest = host.manifest(owner) if owner != CORE else None
        named = (
            None
            if manifest is None
            else (manifest.name, manifest.title, manifest.description, manifest.prefix)
        )
        parts.append(
            (owner, contribution.query, contribution.mutation, tuple(contribution.types), named)
        )
    packages = tuple(
        (name, _package_of(loaded.obj), loaded.manifest.prefix)
        for name, loaded in sorted(host.plugins.items())
    )
    return (introspection, tuple(parts), packages)


def compose(host: PluginHost, *, introspection: bool = True) -> ComposedSchema:
    key = _composition(host, introspection)
    composed = _COMPOSED.get(key)
    if composed is None:
        composed = _compose(host, introspection=introspection)
        if len(_COMPOSED) >= _COMPOSED_KEPT:
            _COMPOSED.pop(next(iter(_COMPOSED)))
        _COMPOSED[key] = composed
    return composed


def _compose(host: PluginHost, *, introspection: bool) -> ComposedSchema:
    config = StrawberryConfig(
        auto_camel_case=True,
        name_converter=_KeptNames(auto_camel_case=True),
        # Dates, times and decimals bounded at the door (core/api/scalars.py).
        scalar_map=SCALARS,
        # « Did you mean 'families'? » would enumerate the schema where introspection
        # is off (production): one switch for both.
        disable_field_suggestions=not introspection,
    )
    problems: list[tuple[str, str]] = []
    query_parts: list[type] = []
    mutation_parts: list[type] = []
    extra_types: list[type] = []
    nodes: dict[str, tuple[str, type[relay.Node]]] = {}
    root_fields: dict[str, dict[str, str]] = {"Query": {}, "Mutation": {}}

    def claim(root: str, name: str, owner: str) -> bool:
        previous = root_fields[root].get(name)
        if previous is not None:
            problems.append((owner, f"le champ {root}.{name} existe déjà (déclaré par {previous})"))
            return False
        root_fields[root][name] = owner
        return True

    namespaces: dict[str, Any] = {}
    for owner, contribution in host.contributions.graphql:
        manifest = host.manifest(owner) if owner != CORE else None
        if contribution.query is not None:
            if manifest is None:
                for f in _fields(contribution.query):
                    claim("Query", _graphql_name(f, config), owner)
                query_parts.append(contribution.query)
            else:
                if claim("Query", manifest.field_name, owner):
                    namespaces[manifest.name] = _namespace_field(manifest, contribution.query)
        if contribution.mutation is not None:
            for f in _fields(contribution.mutation):
                name = _graphql_name(f, config)
                if not claim("Mutation", name, owner) or manifest is None:
                    continue
                if not name.startswith(manifest.field_name) or name == manifest.field_name:
                    problems.append(
                        (owner, f"la mutation {name} doit commencer par « {manifest.field_name} »")
                    )
                if gated_plugin(f) != owner:
                    problems.append(
                        (
                            owner,
                            f"la mutation {name} n'est pas protégée : déclarez-la avec "
                            "sdk.plugin_mutation(…)",
                        )
                    )
            mutation_parts.append(contribution.mutation)
        for type_ in contribution.types:
            extra_types.append(type_)
            if isinstance(type_, type) and issubclass(type_, relay.Node):
                nodes[type_.__name__] = (owner, type_)

    if namespaces:
        query_parts.append(
            strawberry.type(
                type("PluginNamespaces", (), dict(sorted(namespaces.items()))),
                description="Les modules (plugins) du pôle.",
            )
        )
    if problems:
        raise PluginStartupError(problems)

    query = _merged("Query", query_parts)
    mutation = _merged("Mutation", mutation_parts) if mutation_parts else None
    # Documents this schema found valid: this schema's alone (core/api/validation_cache.py).
    valid_documents = ValidDocuments()
    extensions: list[Any] = [
        # Factories, not instances: strawberry builds fresh extensions for each request.
        _DepthAndAliases,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # The request log's and the metrics' operation name and error codes; listed
        # before CodedErrors so that it reads the errors once coded (exits run in
        # reverse order).
        ObservedOperation,
        CodedErrors,
        CsrfGuard,
        UnstorableText,
        # A document sent again is not parsed again (keyed on its text and the token
        # limit; a refused one raises, so is never kept) nor validated again.
        lambda: ParserCache(maxsize=PARSED_DOCUMENTS),
        lambda: CachedValidation(valid_documents),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    try:
        schema = MaillageSchema(
            query=query,
            mutation=mutation,
            types=extra_types,
            extensions=extensions,
            config=config,
        )
    except DuplicatedTypeName as exc:
        raise PluginStartupError([("schéma", f"{exc} — renommez l'un des deux types")]) from exc
    problems += _prefix_problems(host, schema)
    if problems:
        raise PluginStartupError(problems)
    frenchify(schema._schema)
    # Fields where strawberry's per-field chain does nothing get a direct resolver
    # (docs/decisions.md, 117).
    direct_resolvers(schema._schema, config.info_class)
    # Plain leaf fields answered without graphql-core's per-field machinery (decision 129).
    schema.execution_context_class = execution_context_class(schema._schema)
    return ComposedSchema(schema=schema, nodes=nodes)


class _KeptNames(NameConverter):
    """strawberry's names, each Python name converted once: strawberry converts every
    argument's name again on every call of a field (``convert_arguments``), twenty for
    the dashboard's two lists (decision 217). The conversion is a function of the name."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case=auto_camel_case)
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = super().apply_naming_config(name)
        return found


class _DepthAndAliases(AddValidationRules):
    """strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter``, their rules made
    once per process: those extensions build two new rule classes for every request
    (strawberry makes its extensions afresh each time), about 1 % of a dashboard
    request's CPU (decision 217). The same rules, the same errors."""

    RULES: ClassVar[tuple[Any, ...]] = (
        query_depth_limiter.create_validator(MAX_DEPTH, None, None),
        max_aliases.create_validator(MAX_ALIASES),
    )

    def __init__(self) -> None:
        super().__init__(list(self.RULES))


def _merged(name: str, parts: Sequence[type]) -> type:
    # Like strawberry.tools.merge_types, which only warns on duplicates: duplicates
    # were refused above, with the owner named.
    return strawberry.type(type(name, tuple(parts), {}))


def _prefix_problems(host: PluginHost, schema: strawberry.Schema) -> list[tuple[str, str]]:
    """Every type defined in a plugin's package starts with that plugin's prefix."""
    by_package: dict[str, list[Plugin]] = {}
    for name in sorted(host.plugins):
        loaded = host.plugins[name]
        by_package.setdefault(_package_of(loaded.obj), []).append(loaded.manifest)
    problems = []
    for type_name, concrete in schema.schema_converter.type_map.items():
        origin = getattr(concrete.definition, "origin", None)
        module = getattr(origin, "__module__", "") or ""
        for package, manifests in by_package.items():
            mine = module == package or module.startswith(package + ".")
            if mine and not any(type_name.startswith(m.prefix) for m in manifests):
                owners = ", ".join(m.name for m in manifests)
                prefixes = " ou ".join(m.prefix for m in manifests)
                problems.append((owners, f"le type {type_name} doit commencer par « {prefixes} »"))
    return problems


def build_schema(host: PluginHost, *, introspection: bool = True) -> strawberry.Schema:
    return compose(host, introspection=introspection).schema


def schema_sdl(host: PluginHost) -> str:
    return build_schema(host).as_str() + "\n"


async def resolve_node(info: Info, id: strawberry.ID) -> relay.Node | None:
    """Relay ``node``: an unknown, malformed or foreign id, or a disabled plugin's
    node, answers null without distinction."""
    try:
        global_id = relay.GlobalID.from_id(id)
    except Exception:
        return None
    found = info.context.nodes.get(global_id.type_name)
    if found is None:
        return None
    owner, node_type = found
    if owner != CORE and owner not in await info.context.enabled_plugins():
        return None
    results = await node_type.resolve_nodes(  # type: ignore[misc]
        info=info, node_ids=[global_id.node_id], required=False
    )
    return next(iter(results))
