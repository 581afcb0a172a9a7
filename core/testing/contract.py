"""The plugin contract suite, in one line of a plugin's tests::

    from core.testing.contract import plugin_contract

    TestContract = plugin_contract("my_plugin")   # entry-point name, or the plugin object

It checks what every plugin owes the platform: a valid manifest, only known hooks,
root fields gated and nullable, prefixed type names, a schema that still builds with
every installed plugin, migrations that round-trip, tenant isolation through
GraphQL, PLUGIN_DISABLED for a pole that did not enable it, and an idempotent seed.
It uses the fixtures of the maillage pytest plugin.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type
from sqlalchemy import func, inspect, select

from core.api.gates import gated_plugin
from core.app.schema import compose
from core.db import migrate
from core.db.base import Base
from core.plugins.host import ENTRY_POINT_GROUP, PluginHost, call_async
from core.plugins.manifest import Plugin
from core.plugins.migrations import target_of
from core.testing.client import error_codes
from core.testing.databases import TestUrls


def _load(plugin: Any) -> Any:
    if not isinstance(plugin, str):
        return plugin
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == plugin:
            return ep.load()
    raise LookupError(
        f"no installed plugin named {plugin!r} (entry point group {ENTRY_POINT_GROUP})"
    )


def plugin_contract(plugin: Any) -> type:
    """A test class running the contract on ``plugin`` (name or object)."""

    class TestPluginContract(PluginContract):
        target = plugin

    return TestPluginContract


class PluginContract:
    """Subclass with ``target = <name or plugin object>``, or use ``plugin_contract``."""

    target: Any = None

    # --- fixtures ----------------------------------------------------------------------

    @pytest.fixture
    def maillage_plugins(self) -> list[Any]:
        obj = _load(self.target)
        requires = obj.manifest.requires
        # Requirements come from the installed plugins.
        return [*requires, self.target if isinstance(self.target, str) else obj]

    @pytest.fixture
    def manifest(self) -> Plugin:
        return _load(self.target).manifest

    def _tables(self, host: PluginHost, name: str) -> list[str]:
        return host.contributions.tables.get(name, [])

    # --- static checks -----------------------------------------------------------------

    def test_manifest_is_valid(self, manifest: Plugin) -> None:
        assert manifest.problems() == []
        assert manifest.title.strip() and manifest.description.strip()

    def test_hooks_are_known_and_marked(self, maillage_host: PluginHost, manifest: Plugin) -> None:
        obj = maillage_host.plugins[manifest.name].obj
        known = set(maillage_host.hook_names())
        declared = {name for name in dir(obj) if name.startswith("maillage_")}
        assert declared, "a plugin implements at least one hook"
        assert declared <= known, f"unknown hooks: {sorted(declared - known)}"
        callers = {c.name for c in maillage_host.pm.get_hookcallers(obj) or []}
        assert declared == callers, f"not marked @hookimpl: {sorted(declared - callers)}"

    def test_root_fields_are_gated_and_nullable(
        self, maillage_host: PluginHost, manifest: Plugin
    ) -> None:
        composed = compose(maillage_host)
        gql = composed.schema._schema
        contribution = dict(maillage_host.contributions.graphql).get(manifest.name)
        if contribution is None:
            pytest.skip("the plugin adds nothing to the schema")
        if contribution.query is not None:
            field = gql.query_type.fields[manifest.field_name]
            assert not isinstance(field.type, GraphQLNonNull), "the namespace field is nullable"
        if contribution.mutation is not None:
            strawberry_fields = contribution.mutation.__strawberry_definition__.fields
            assert strawberry_fields
            for f in strawberry_fields:
                name = composed.schema.config.name_converter.get_graphql_name(f)
                assert name.startswith(manifest.field_name), name
                assert gated_plugin(f) == manifest.name, f"{name} is not gated"
                assert name in gql.mutation_type.fields

    def test_type_names_are_prefixed(self, maillage_host: PluginHost, manifest: Plugin) -> None:
        composed = compose(maillage_host)
        # The plugin's requirements bring their own (prefixed) types.
        requires = list(manifest.requires)
        core_only = compose(PluginHost.start(allow=requires, entry_points=bool(requires)))
        added = set(composed.schema._schema.type_map) - set(core_only.schema._schema.type_map)
        added -= {"PluginNamespaces", "Mutation"}
        assert all(name.startswith(manifest.prefix) for name in added), sorted(
            n for n in added if not n.startswith(manifest.prefix)
        )

    def test_schema_builds_with_every_installed_plugin(self, manifest: Plugin) -> None:
        obj = _load(self.target)
        extra = [] if isinstance(self.target, str) else [obj]
        host = PluginHost.start(extra=extra)
        compose(host)
        assert manifest.name in host.plugins

    def test_tables_obey_the_tenancy_key_rules(
        self, maillage_host: PluginHost, manifest: Plugin
    ) -> None:
        """The schema lint of core (tenant_id leads keys, uniques, indexes and foreign
        keys; every table classified) on the plugin's own tables."""
        from core.db.lint import lint_metadata

        tables = set(self._tables(maillage_host, manifest.name))
        problems = [str(p) for p in lint_metadata(Base.metadata) if p.table in tables]
        assert problems == []

    # --- database ----------------------------------------------------------------------

    @pytest.fixture
    def own_database(
        self, maillage_host: PluginHost, maillage_urls: TestUrls, _maillage_templates: Any
    ) -> TestUrls:
        """The SQLite copy is the test's own; on PostgreSQL the template is shared, so
        schema-changing tests get a fresh database."""
        if maillage_urls.kind == "postgres":
            return _maillage_templates.fresh_postgres(maillage_host)
        return maillage_urls

    async def test_migrations_round_trip(
        self, maillage_host: PluginHost, own_database: TestUrls, manifest: Plugin
    ) -> None:
        tables = self._tables(maillage_host, manifest.name)
        if not tables:
            pytest.skip("the plugin has no tables")
        target = target_of(maillage_host, manifest.name)
        url = own_database.owner
        assert await migrate.check(url, owners=[manifest.name]) == []
        await migrate.downgrade(url, "base", target=target)
        assert not set(tables) & await _table_names(url)
        assert await migrate.current_revision(url, target=target) is None
        await migrate.upgrade(url, targets=[target])
        assert set(tables) <= await _table_names(url)
        assert await migrate.current_revision(url, target=target) == migrate.head_revision(target)
        assert await migrate.check(url, owners=[manifest.name]) == []

    async def test_tenant_tables_have_row_level_security(
        self, maillage_host: PluginHost, maillage_urls: TestUrls, manifest: Plugin
    ) -> None:
        """PostgreSQL: every tenant table of the plugin has RLS enabled, forced and the
        tenant policy (its migrations call ``enable_tenant_rls``)."""
        if maillage_urls.kind != "postgres":
            pytest.skip("row-level security exists on PostgreSQL only (--maillage-db=postgres)")
        from core.db import sql
        from core.db.engine import make_engine

        tenant_tables = [
            t
            for t in self._tables(maillage_host, manifest.name)
            if Base.metadata.tables[t].info.get("maillage_kind") == "tenant"
        ]
        engine = make_engine(maillage_urls.owner)
        try:
            async with engine.connect() as connection:
                states = {p.table: p for p in await connection.run_sync(sql.table_posture)}
        finally:
            await engine.dispose()
        for table in tenant_tables:
            state = states[table]
            assert state.rls_enabled and state.rls_forced, f"{table}: call enable_tenant_rls"
            assert sql.POLICY_NAME in state.policies, table

    async def test_seed_is_idempotent(
        self,
        maillage_host: PluginHost,
        maillage_db: Any,
        make_tenant: Any,
        enable_plugin: Any,
        manifest: Plugin,
    ) -> None:
        tenant = await make_tenant()
        for required in manifest.requires:
            await enable_plugin(tenant, required)
        await enable_plugin(tenant, manifest.name)
        counts = []
        for _ in range(2):
            await _seed(maillage_host, maillage_db, tenant, manifest.name)
            counts.append(
                await _row_counts(maillage_db, tenant, self._tables(maillage_host, manifest.name))
            )
        assert counts[0] == counts[1]

    async def test_tenant_isolation_through_graphql(
        self,
        maillage_host: PluginHost,
        maillage_db: Any,
        make_tenant: Any,
        enable_plugin: Any,
        graphql: Any,
        manifest: Plugin,
    ) -> None:
        """Seeding pole A changes nothing that pole B can see, in its tables or through
        the plugin's GraphQL lists (rows made by ``maillage_on_enable`` are B's own)."""
        a, b = await make_tenant("62"), await make_tenant("63")
        for tenant in (a, b):
            for required in manifest.requires:
                await enable_plugin(tenant, required)
            await enable_plugin(tenant, manifest.name)
        tables = self._tables(maillage_host, manifest.name)
        tenant_tables = [
            t for t in tables if Base.metadata.tables[t].info.get("maillage_kind") == "tenant"
        ]
        lists = _list_fields(compose(maillage_host).schema._schema, manifest.field_name)

        async def seen_by(tenant: Any) -> dict[str, int]:
            counts = {}
            for path, query in lists:
                result = await graphql.execute(query, tenant=tenant)
                assert "errors" not in result, result
                counts[path] = _items(result["data"][manifest.field_name], path)
            return counts

        b_rows, b_sees = await _row_counts(maillage_db, b, tenant_tables), await seen_by(b)
        a_before = await _row_counts(maillage_db, a, tenant_tables)
        await _seed(maillage_host, maillage_db, a, manifest.name)
        if tenant_tables:
            a_after = await _row_counts(maillage_db, a, tenant_tables)
            assert sum(a_after.values()) > sum(a_before.values()), (
                "the seed hook creates demo rows for the contract to compare"
            )
            assert await _row_counts(maillage_db, b, tenant_tables) == b_rows
        if not lists:
            pytest.skip("no list field without required arguments in the namespace")
        assert await seen_by(b) == b_sees, "pole B sees pole A's rows"
        if tenant_tables:
            a_sees = await seen_by(a)
            assert sum(a_sees.values()) > sum(b_sees.values()) or sum(a_sees.values()) > 0

    async def test_disabled_plugin_answers_plugin_disabled(
        self,
        make_tenant: Any,
        enable_plugin: Any,
        graphql: Any,
        manifest: Plugin,
        maillage_host: PluginHost,
    ) -> None:
        contribution = dict(maillage_host.contributions.graphql).get(manifest.name)
        if contribution is None or contribution.query is None:
            pytest.skip("no namespace field")
        tenant = await make_tenant()
        if manifest.default_enabled:
            await enable_plugin(tenant, manifest.name, enabled=False)
        result = await graphql.execute(
            f"{{ {manifest.field_name} {{ __typename }} }}", tenant=tenant
        )
        assert result["data"] == {manifest.field_name: None}
        assert error_codes(result) == ["PLUGIN_DISABLED"]
        for required in manifest.requires:
            await enable_plugin(tenant, required)
        await enable_plugin(tenant, manifest.name)
        result = await graphql.execute(
            f"{{ {manifest.field_name} {{ __typename }} }}", tenant=tenant
        )
        assert result["data"][manifest.field_name] == {"__typename": f"{manifest.prefix}Query"}


async def _table_names(url: str) -> set[str]:
    from core.db.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _seed(host: PluginHost, db: Any, tenant: Any, name: str) -> None:
    from core.plugins.state import list_states

    async with db.session(tenant.id) as session:
        states = {s.manifest.name: s for s in await list_states(host, session)}
        await call_async(
            host.plugin_caller("maillage_seed", name),
            tenant=tenant,
            session=session,
            settings=states[name].settings,
        )
        await session.commit()


async def _row_counts(db: Any, tenant: Any, tables: list[str]) -> dict[str, int]:
    by_table = {m.local_table.name: m.class_ for m in Base.registry.mappers}
    counts = {}
    async with db.session(tenant.id) as session:
        for table in tables:
            model = by_table[table]
            counts[table] = await session.scalar(select(func.count()).select_from(model))
    return counts


def _list_fields(schema: Any, namespace: str) -> list[tuple[str, str]]:
    """(field, query) for the namespace's list and connection fields that need no
    argument: the generic way to ask a plugin "what do you show this pole?"."""
    ns_type = get_named_type(schema.query_type.fields[namespace].type)
    found = []
    for name, field in ns_type.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
            continue
        field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if isinstance(field_type, GraphQLList):
            found.append((name, f"{{ {namespace} {{ {name} {{ __typename }} }} }}"))
        elif isinstance(field_type, GraphQLObjectType) and "edges" in field_type.fields:
            found.append((name, f"{{ {namespace} {{ {name} {{ edges {{ cursor }} }} }} }}"))
    return found


def _items(namespace_data: dict[str, Any], field: str) -> int:
    value = namespace_data[field]
    if isinstance(value, list):
        return len(value)
    return len(value["edges"])
