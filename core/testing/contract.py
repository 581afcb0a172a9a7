"""The plugin contract suite, in one line of a plugin's tests::

    from core.testing.contract import plugin_contract

    TestContract = plugin_contract("my_plugin")   # entry-point name, or the plugin object

It checks what every plugin owes the platform: a valid manifest, only known hooks,
root fields gated and nullable, a permission on every field a pole reaches first,
prefixed type names, a schema that still builds with every installed plugin, the
key rules on its models and on the tables its migrations create, migrations that
round-trip, tenant isolation through GraphQL, PLUGIN_DISABLED for a pole that did not
enable it, and an idempotent seed. It uses the fixtures of the maillage pytest plugin.

A failure says what is wrong, where, and how to fix it (docs/plugins.md, "The
contract suite", lists every check and its message); no bare ``AssertionError``.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
)
from sqlalchemy import MetaData, inspect, select

from core.api.gates import gated_actions, gated_plugin
from core.app.schema import compose
from core.db import migrate
from core.db.base import Base
from core.plugins.host import ENTRY_POINT_GROUP, PluginHost
from core.plugins.manifest import Plugin
from core.plugins.migrations import target_of
from core.testing.client import error_codes
from core.testing.databases import TestUrls


def fail(what: str, *, where: str, fix: str) -> None:
    """Fail the check with the three things an author needs, and no Python trace: the
    trace would point into the contract, not into the plugin."""
    pytest.fail(f"{what}\n  where: {where}\n  fix: {fix}", pytrace=False)


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

    def _tenant_tables(self, host: PluginHost, name: str) -> list[str]:
        return [
            t
            for t in self._tables(host, name)
            if Base.metadata.tables[t].info.get("maillage_kind") == "tenant"
        ]

    # --- static checks -----------------------------------------------------------------

    def test_manifest_is_valid(self, manifest: Plugin) -> None:
        problems = manifest.problems()
        if problems:
            fail(
                f"the manifest is invalid: {'; '.join(problems)}",
                where=f"manifest of {manifest.name!r} (sdk.Plugin in the plugin's module)",
                fix="correct the fields named above (docs/plugins.md, section 1)",
            )
        if not (manifest.title.strip() and manifest.description.strip()):
            fail(
                "the manifest has no title or no description",
                where=f"manifest of {manifest.name!r}",
                fix="give title= and description= in French: poles read them",
            )

    def test_hooks_are_known_and_marked(self, maillage_host: PluginHost, manifest: Plugin) -> None:
        obj = maillage_host.plugins[manifest.name].obj
        known = set(maillage_host.hook_names())
        declared = {name for name in dir(obj) if name.startswith("maillage_")}
        where = f"plugin {manifest.name!r} ({getattr(obj, '__name__', obj)!s})"
        if not declared:
            fail(
                "the plugin implements no hook",
                where=where,
                fix="implement at least one maillage_* hook (docs/plugins.md, section 4)",
            )
        if declared - known:
            fail(
                f"unknown hooks: {sorted(declared - known)}",
                where=where,
                fix="check the spelling against docs/plugins.md, section 4",
            )
        callers = {c.name for c in maillage_host.pm.get_hookcallers(obj) or []}
        if declared != callers:
            fail(
                f"not marked @hookimpl: {sorted(declared - callers)}",
                where=where,
                fix="decorate each hook with @sdk.hookimpl, or the platform never calls it",
            )

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
            if isinstance(field.type, GraphQLNonNull):
                fail(
                    f"the namespace field {manifest.field_name} is non-null",
                    where=f"Query.{manifest.field_name}",
                    fix="declare the namespace with @sdk.plugin_namespace: a pole that did "
                    "not enable the plugin gets null with PLUGIN_DISABLED",
                )
        for name, f in _mutations(composed, contribution):
            where = f"Mutation.{name}"
            if not name.startswith(manifest.field_name):
                fail(
                    f"the mutation {name} is not prefixed with {manifest.field_name}",
                    where=where,
                    fix=f"name the Python method {manifest.name}_<verb>",
                )
            if gated_plugin(f) != manifest.name:
                fail(
                    f"the mutation {name} is not gated by the plugin",
                    where=where,
                    fix=f'declare it with @sdk.plugin_mutation("{manifest.name}", ...)',
                )
            if name not in gql.mutation_type.fields:
                fail(
                    f"the mutation {name} is missing from the composed schema",
                    where=where,
                    fix="return the mutation type in GraphQLContribution(mutation=...)",
                )

    def test_fields_declare_a_permission(self, maillage_host: PluginHost, manifest: Plugin) -> None:
        """Every field a request reaches first (the namespace's fields, the plugin's
        mutations) names the action it requires: without one, every account of the pole
        — the family role included — reads or writes it."""
        composed = compose(maillage_host)
        contribution = dict(maillage_host.contributions.graphql).get(manifest.name)
        if contribution is None:
            pytest.skip("the plugin adds nothing to the schema")
        open_fields = []
        if contribution.query is not None:
            converter = composed.schema.config.name_converter
            for f in contribution.query.__strawberry_definition__.fields:
                if not gated_actions(f):
                    open_fields.append(
                        f"{manifest.field_name} {{ {converter.get_graphql_name(f)} }}"
                    )
        open_fields += [
            f"Mutation.{name}"
            for name, f in _mutations(composed, contribution)
            if not gated_actions(f)
        ]
        if open_fields:
            fail(
                "fields that declare no permission: any account of the pole, the family "
                "role included, can use them",
                where=", ".join(open_fields),
                fix=f'add extensions=sdk.requires("{manifest.name}.read") (or the action '
                "that fits) to each field, and declare the action in maillage_actions",
            )

    def test_type_names_are_prefixed(self, maillage_host: PluginHost, manifest: Plugin) -> None:
        composed = compose(maillage_host)
        # The plugin's requirements bring their own (prefixed) types.
        requires = list(manifest.requires)
        core_only = compose(PluginHost.start(allow=requires, entry_points=bool(requires)))
        added = set(composed.schema._schema.type_map) - set(core_only.schema._schema.type_map)
        added -= {"PluginNamespaces", "Mutation"}
        unprefixed = sorted(n for n in added if not n.startswith(manifest.prefix))
        if unprefixed:
            fail(
                f"type names without the prefix {manifest.prefix}: {unprefixed}",
                where="the plugin's strawberry types, inputs and enums",
                fix=f"rename each to {manifest.prefix}<Name> (two plugins must never clash)",
            )

    def test_schema_builds_with_every_installed_plugin(self, manifest: Plugin) -> None:
        obj = _load(self.target)
        extra = [] if isinstance(self.target, str) else [obj]
        host = PluginHost.start(extra=extra)
        compose(host)
        assert manifest.name in host.plugins, f"{manifest.name} was not loaded"

    def test_tables_obey_the_tenancy_key_rules(
        self, maillage_host: PluginHost, manifest: Plugin
    ) -> None:
        """The schema lint of core (tenant_id leads keys, uniques, indexes and foreign
        keys; every table classified; no pole's key in a shared table) on the plugin's
        own models."""
        from core.db.lint import lint_metadata

        tables = set(self._tables(maillage_host, manifest.name))
        _fail_on_lint([p for p in lint_metadata(Base.metadata) if p.table in tables], "models")

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

    async def test_migrated_tables_obey_the_key_rules(
        self, maillage_host: PluginHost, maillage_urls: TestUrls, manifest: Plugin
    ) -> None:
        """The same rules on the tables the migrations created: Alembic's comparison of
        models and database does not look at primary keys, so a migration can create
        ``PRIMARY KEY (id)`` under a model that says ``(tenant_id, id)``."""
        from core.db.lint import lint_metadata

        tables = self._tables(maillage_host, manifest.name)
        if not tables:
            pytest.skip("the plugin has no tables")
        reflected = await _reflect(maillage_urls.owner, tables)
        problems = [p for p in lint_metadata(reflected) if p.table in set(tables)]
        _fail_on_lint(problems, "tables created by the migrations")

    async def test_migrations_round_trip(
        self, maillage_host: PluginHost, own_database: TestUrls, manifest: Plugin
    ) -> None:
        tables = self._tables(maillage_host, manifest.name)
        if not tables:
            pytest.skip("the plugin has no tables")
        target = target_of(maillage_host, manifest.name)
        url = own_database.owner
        where = f"migrations of {manifest.name} ({target.versions})"
        _fail_on_drift(await migrate.check(url, owners=[manifest.name]), where, "after upgrade")
        await migrate.downgrade(url, "base", target=target)
        left = sorted(set(tables) & await _table_names(url))
        if left:
            fail(
                f"downgrade to base leaves tables: {left}",
                where=where,
                fix="drop every table (and index) the upgrade creates in downgrade()",
            )
        version = await migrate.current_revision(url, target=target)
        if version is not None:
            fail(
                f"downgrade to base leaves the version {version}",
                where=where,
                fix="the first revision's down_revision is None",
            )
        await migrate.upgrade(url, targets=[target])
        missing = sorted(set(tables) - await _table_names(url))
        if missing:
            fail(
                f"upgrade after downgrade does not create {missing}",
                where=where,
                fix="create every table of maillage_models in the migrations",
            )
        head = migrate.head_revision(target)
        version = await migrate.current_revision(url, target=target)
        if version != head:
            fail(
                f"upgrade stops at {version}, the head is {head}",
                where=where,
                fix="chain the revisions (each down_revision is the previous one)",
            )
        _fail_on_drift(
            await migrate.check(url, owners=[manifest.name]), where, "after downgrade and upgrade"
        )

    async def test_tenant_tables_have_row_level_security(
        self, maillage_host: PluginHost, maillage_urls: TestUrls, manifest: Plugin
    ) -> None:
        """PostgreSQL: every tenant table of the plugin has RLS enabled, forced and the
        tenant policy (its migrations call ``enable_tenant_rls``)."""
        if maillage_urls.kind != "postgres":
            pytest.skip("row-level security exists on PostgreSQL only (--maillage-db=postgres)")
        from core.db import sql
        from core.db.engine import make_engine

        engine = make_engine(maillage_urls.owner)
        try:
            async with engine.connect() as connection:
                states = {p.table: p for p in await connection.run_sync(sql.table_posture)}
        finally:
            await engine.dispose()
        unprotected = [
            t
            for t in self._tenant_tables(maillage_host, manifest.name)
            if not (
                states[t].rls_enabled
                and states[t].rls_forced
                and sql.POLICY_NAME in states[t].policies
            )
        ]
        if unprotected:
            fail(
                f"tenant tables without row-level security: {unprotected}",
                where=f"migrations of {manifest.name}",
                fix='call enable_tenant_rls(op, "<table>") after op.create_table(...)',
            )

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
        tables = self._tables(maillage_host, manifest.name)
        runs = []
        for _ in range(2):
            await _seed(maillage_host, maillage_db, tenant, manifest.name)
            runs.append(await _rows(maillage_db, tenant, tables))
        doubled = {
            table: [row for key, row in runs[1][table].items() if key not in runs[0][table]]
            for table in tables
        }
        doubled = {table: rows for table, rows in doubled.items() if rows}
        if doubled:
            lines = [
                f"{table}: rows {len(runs[0][table])} after the first seed, "
                f"{len(runs[1][table])} after the second; added again: "
                + "; ".join(_show(row) for row in rows[:3])
                for table, rows in doubled.items()
            ]
            fail(
                "the seed is not idempotent: a second run adds rows\n    " + "\n    ".join(lines),
                where=f"maillage_seed of {manifest.name}",
                fix="look up what is already there before adding (by a natural key: "
                "title and date, code…), as the scaffold's seed.py does",
            )

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
        tenant_tables = self._tenant_tables(maillage_host, manifest.name)
        lists = _list_fields(compose(maillage_host).schema._schema, manifest.field_name)

        async def seen_by(tenant: Any) -> dict[str, int]:
            counts = {}
            for path, query in lists:
                result = await graphql.execute(query, tenant=tenant)
                if "errors" in result:
                    fail(
                        f"the list answers errors to a pole that enabled the plugin: "
                        f"{result['errors']}",
                        where=query,
                        fix="a list without required arguments answers the pole's rows",
                    )
                counts[path] = _items(result["data"][manifest.field_name], path)
            return counts

        b_rows, b_sees = await _row_counts(maillage_db, b, tenant_tables), await seen_by(b)
        a_before = await _row_counts(maillage_db, a, tenant_tables)
        await _seed(maillage_host, maillage_db, a, manifest.name)
        if tenant_tables:
            a_after = await _row_counts(maillage_db, a, tenant_tables)
            if sum(a_after.values()) <= sum(a_before.values()):
                fail(
                    "the seed adds no row: the contract has nothing to compare",
                    where=f"maillage_seed of {manifest.name}",
                    fix="seed a few demo rows for the pole (tenant=) it is given",
                )
            b_after = await _row_counts(maillage_db, b, tenant_tables)
            if b_after != b_rows:
                fail(
                    f"seeding pole A changed pole B's rows: {b_rows} → {b_after}",
                    where=f"maillage_seed of {manifest.name}",
                    fix="write through the session the hook is given, never another "
                    "pole's tenant_id",
                )
        if not lists:
            pytest.skip("no list field without required arguments in the namespace")
        b_now = await seen_by(b)
        if b_now != b_sees:
            fail(
                f"pole B sees pole A's rows: {b_sees} → {b_now}",
                where=", ".join(path for path, _ in lists),
                fix="read through ctx.db_session() and TenantScoped models (the tenant "
                "filter), never an unscoped session or raw SQL",
            )
        if tenant_tables and not sum((await seen_by(a)).values()):
            fail(
                "pole A's seeded rows appear in none of the namespace's lists",
                where=", ".join(path for path, _ in lists),
                fix="list the pole's rows in the namespace (the contract compares what "
                "each pole sees there)",
            )

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
        query = f"{{ {manifest.field_name} {{ __typename }} }}"
        result = await graphql.execute(query, tenant=tenant)
        if result["data"] != {manifest.field_name: None} or error_codes(result) != [
            "PLUGIN_DISABLED"
        ]:
            fail(
                f"a pole that did not enable the plugin gets {result}, not null with "
                "PLUGIN_DISABLED",
                where=f"Query.{manifest.field_name}",
                fix="declare the namespace with @sdk.plugin_namespace and return it in "
                "GraphQLContribution(query=...): the gate comes with it",
            )
        for required in manifest.requires:
            await enable_plugin(tenant, required)
        await enable_plugin(tenant, manifest.name)
        result = await graphql.execute(query, tenant=tenant)
        expected = {"__typename": f"{manifest.prefix}Query"}
        if (result.get("data") or {}).get(manifest.field_name) != expected:
            fail(
                f"a pole that enabled the plugin gets {result}",
                where=f"Query.{manifest.field_name}",
                fix="the namespace answers once the plugin is enabled: check "
                "maillage_on_enable and maillage_validate_settings",
            )


async def _reflect(url: str, tables: list[str]) -> MetaData:
    """The plugin's tables as the database has them, classified as their models are."""
    from core.db.engine import make_engine

    reflected = MetaData()
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(lambda c: reflected.reflect(c, only=tables))
    finally:
        await engine.dispose()
    for table in reflected.tables.values():
        model = Base.metadata.tables.get(table.name)
        if model is not None:
            table.info.update(model.info)
    return reflected


def _fail_on_lint(problems: list[Any], what: str) -> None:
    if problems:
        fail(
            f"key rules broken in the {what}:\n    "
            + "\n    ".join(f"{p} (rule {p.rule})" for p in problems),
            where=", ".join(sorted({p.table for p in problems})),
            fix="\n    ".join(sorted({f"{p.rule}: {p.fix}" for p in problems})),
        )


def _fail_on_drift(diffs: list[Any], where: str, when: str) -> None:
    if diffs:
        fail(
            f"models and migrations differ {when}:\n    " + "\n    ".join(map(repr, diffs)),
            where=where,
            fix="generate the missing revision with maillage db revision --plugin <name> "
            '-m "…" against an up-to-date database, or correct the migration by hand',
        )


def _mutations(composed: Any, contribution: Any) -> list[tuple[str, Any]]:
    if contribution.mutation is None:
        return []
    converter = composed.schema.config.name_converter
    return [
        (converter.get_graphql_name(f), f)
        for f in contribution.mutation.__strawberry_definition__.fields
    ]


async def _table_names(url: str) -> set[str]:
    from core.db.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _seed(host: PluginHost, db: Any, tenant: Any, name: str) -> None:
    from core.demo.seed import seed_plugin

    await seed_plugin(host, db, tenant, name)


async def _rows(db: Any, tenant: Any, tables: list[str]) -> dict[str, dict[Any, dict[str, Any]]]:
    """The pole's rows of each table, by primary key, as column → value."""
    by_table = {m.local_table.name: m for m in Base.registry.mappers}
    rows: dict[str, dict[Any, dict[str, Any]]] = {}
    async with db.session(tenant.id) as session:
        for table in tables:
            mapper = by_table[table]
            found = (await session.execute(select(mapper.class_))).scalars().all()
            rows[table] = {
                tuple(mapper.primary_key_from_instance(obj)): {
                    c.key: getattr(obj, c.key) for c in mapper.column_attrs
                }
                for obj in found
            }
    return rows


async def _row_counts(db: Any, tenant: Any, tables: list[str]) -> dict[str, int]:
    return {table: len(rows) for table, rows in (await _rows(db, tenant, tables)).items()}


def _show(row: dict[str, Any]) -> str:
    """A row without what every row has (pole, id, timestamps)."""
    skip = {"tenant_id", "id", "created_at", "updated_at"}
    return "{" + ", ".join(f"{k}={v!r}" for k, v in row.items() if k not in skip) + "}"


def _list_fields(schema: Any, namespace: str) -> list[tuple[str, str]]:
    """(field, query) for the namespace's list and connection fields that need no
    argument: the generic way to ask a plugin "what do you show this pole?". A list of
    plain values (``themes: [String!]!``) is asked without a selection."""
    ns_type = get_named_type(schema.query_type.fields[namespace].type)
    found = []
    for name, field in ns_type.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
            continue
        field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if isinstance(field_type, GraphQLList):
            selection = "" if is_leaf_type(get_named_type(field_type)) else " { __typename }"
            found.append((name, f"{{ {namespace} {{ {name}{selection} }} }}"))
        elif isinstance(field_type, GraphQLObjectType) and "edges" in field_type.fields:
            found.append((name, f"{{ {namespace} {{ {name} {{ edges {{ cursor }} }} }} }}"))
    return found


def _items(namespace_data: dict[str, Any], field: str) -> int:
    value = namespace_data[field]
    if isinstance(value, list):
        return len(value)
    return len(value["edges"])
