"""Small plugins the contract suite is run against, each with one deliberate mistake
(``sound`` has none). They are not collected by the main run (no ``test_`` prefix):
``tests/plugin_system/test_contract_catches.py`` runs the contract on each in a
subprocess, so that their models never join the suite's own metadata.

``sample()`` builds one as an author would write it with ``core.sdk`` — a tenant
table of items, a namespace listing them (and a list of plain values), a mutation,
an action, a seed, a migration — with the mistake switched on.
"""

import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import strawberry
from sqlalchemy import String, Uuid, select
from sqlalchemy.orm import Mapped, mapped_column

from core import sdk

THEMES = ["loisirs", "répit"]


def sample(
    name: str,
    *,
    read_action: bool = True,
    primary_key: tuple[str, ...] = ("tenant_id", "id"),
    shared_family_table: bool = False,
    idempotent_seed: bool = True,
    migrated_index: bool = True,
) -> ModuleType:
    """The plugin ``name``; each keyword turns one mistake on."""
    prefix = "".join(part.capitalize() for part in name.split("_"))
    read = f"{name}.read"
    module = ModuleType(f"sample_{name}")
    module.manifest = sdk.Plugin(  # type: ignore[attr-defined]
        name=name,
        version="0.1.0",
        api_version=sdk.API_VERSION,
        title=f"Exemple {name}",
        description="Module d'exemple des tests du contrat.",
    )

    item = type(
        f"{prefix}Item",
        (sdk.TenantScoped, sdk.Base),
        {
            "__tablename__": f"{name}_items",
            "__table_args__": (
                sdk.tenant_unique("title"),
                sdk.tenant_index(f"ix_{name}_items_title", "title"),
            ),
            "__module__": module.__name__,
            "__annotations__": {"title": Mapped[str]},
            "title": mapped_column(String(100)),
        },
    )
    models: list[type] = [item]
    if shared_family_table:
        models.append(
            type(
                f"{prefix}Shared",
                (sdk.Reference, sdk.Base),
                {
                    "__tablename__": f"{name}_shared",
                    "__module__": module.__name__,
                    "__annotations__": {"id": Mapped[uuid.UUID], "family_id": Mapped[uuid.UUID]},
                    "id": mapped_column(Uuid, primary_key=True),
                    "family_id": mapped_column(Uuid),
                },
            )
        )

    extensions = sdk.requires(read) if read_action else []

    @strawberry.type(name=f"{prefix}Item", description="Un élément.")
    class ItemType:
        title: str

    class Query:
        @strawberry.field(description="Éléments du pôle.", extensions=extensions)
        async def items(self, info: sdk.Info) -> list[ItemType]:
            async with info.context.db_session() as session:
                rows = (await session.execute(select(item).order_by(item.title))).scalars()
                return [ItemType(title=row.title) for row in rows]

        @strawberry.field(description="Thèmes (valeurs simples).", extensions=sdk.requires(read))
        def themes(self) -> list[str]:
            return THEMES

    Query.__name__ = Query.__qualname__ = f"{prefix}Query"
    namespace = sdk.plugin_namespace(name, description=f"Exemple {name}")(Query)

    def add(self: Any, info: sdk.Info, title: str) -> bool:
        raise NotImplementedError  # never called: the contract only reads the schema

    add.__name__ = f"{name}_add_item"
    mutation = strawberry.type(
        type(
            f"{prefix}Mutation",
            (),
            {
                add.__name__: sdk.plugin_mutation(
                    name, description="Ajouter un élément.", extensions=sdk.requires(read)
                )(add)
            },
        )
    )

    versions = Path(tempfile.mkdtemp(prefix=f"maillage-sample-{name}-"))
    (versions / f"{name}_0001.py").write_text(
        _migration(name, primary_key, shared_family_table, migrated_index), encoding="utf-8"
    )

    @sdk.hookimpl
    def maillage_models() -> list[type]:
        return models

    @sdk.hookimpl
    def maillage_migrations() -> sdk.MigrationSource:
        return sdk.MigrationSource(versions)

    @sdk.hookimpl
    def maillage_graphql() -> sdk.GraphQLContribution:
        return sdk.GraphQLContribution(query=namespace, mutation=mutation, types=(ItemType,))

    @sdk.hookimpl
    def maillage_actions() -> list[sdk.Action]:
        return [sdk.Action(read, "Voir les éléments", default_roles=sdk.POLE_ROLES)]

    @sdk.hookimpl
    async def maillage_seed(tenant: sdk.Tenant, session: Any, settings: Mapping[str, Any]) -> None:
        existing = set((await session.execute(select(item.title))).scalars())
        titles = ["Premier", "Second"] if idempotent_seed else [f"Élément {len(existing) + 1}"]
        for title in titles:
            if title not in existing:
                session.add(item(title=title))
        await session.flush()

    for hook in (
        maillage_models,
        maillage_migrations,
        maillage_graphql,
        maillage_actions,
        maillage_seed,
    ):
        setattr(module, hook.__name__, hook)
    return module


def _migration(name: str, primary_key: tuple[str, ...], shared: bool, index: bool) -> str:
    """The plugin's one revision, as ``maillage db revision`` would write it."""
    pk = ", ".join(f'"{c}"' for c in primary_key)
    upgrade = [
        "op.create_table(",
        f'    "{name}_items",',
        '    sa.Column("tenant_id", sa.Uuid(), nullable=False),',
        '    sa.Column("id", sa.Uuid(), nullable=False),',
        '    sa.Column("title", sa.String(length=100), nullable=False),',
        '    sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="RESTRICT",',
        f'                            name=op.f("fk_{name}_items_tenant_id_tenants")),',
        f'    sa.PrimaryKeyConstraint({pk}, name=op.f("pk_{name}_items")),',
        '    sa.UniqueConstraint("tenant_id", "title",',
        f'                        name=op.f("uq_{name}_items_tenant_id_title")),',
        ")",
        f'enable_tenant_rls(op, "{name}_items")',
    ]
    if index:
        upgrade.append(
            f'op.create_index("ix_{name}_items_title", "{name}_items", ["tenant_id", "title"])'
        )
    downgrade = [f'op.drop_table("{name}_items")']
    if shared:
        upgrade += [
            f'op.create_table("{name}_shared",',
            '    sa.Column("id", sa.Uuid(), nullable=False),',
            '    sa.Column("family_id", sa.Uuid(), nullable=False),',
            f'    sa.PrimaryKeyConstraint("id", name=op.f("pk_{name}_shared")))',
        ]
        downgrade.append(f'op.drop_table("{name}_shared")')
    body = "\n".join(
        [
            "import sqlalchemy as sa",
            "from alembic import op",
            "from core.sdk import enable_tenant_rls",
            "",
            f'revision = "{name}_0001"',
            "down_revision = None",
            f'branch_labels = ("{name}",)',
            "depends_on = None",
            "",
            "def upgrade() -> None:",
            *(f"    {line}" for line in upgrade),
            "",
            "def downgrade() -> None:",
            *(f"    {line}" for line in downgrade),
        ]
    )
    return body + "\n"
