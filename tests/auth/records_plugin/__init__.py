"""``records``: a small plugin written against ``core.sdk`` as an integrator would,
holding a child's record with sensitive fields. The auth tests use it to check that
reading a person's record is audited field by field, and that diagnosis and health
notes need an explicit grant on top of a role."""

from __future__ import annotations

import uuid
from pathlib import Path

import strawberry
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core import sdk

manifest = sdk.Plugin(
    name="records",
    version="1.0.0",
    api_version=sdk.API_VERSION,
    title="Dossiers (test)",
    description="Dossier d'un enfant avec des champs sensibles (plugin de test).",
)
READ = "records.read"
HEALTH = "records.health.read"


class RecordsChild(sdk.TenantScoped, sdk.Base):
    __tablename__ = "records_children"

    first_name: Mapped[str] = mapped_column(String(100))
    commune: Mapped[str] = mapped_column(String(5))
    diagnosis: Mapped[str | None] = mapped_column(String(200))
    health_notes: Mapped[str | None] = mapped_column(String(500))


@strawberry.type(description="Dossier d'un enfant (test).")
class RecordsChildRecord:
    uid: strawberry.Private[str]
    first_name: str = sdk.person_field()
    commune: str = sdk.person_field()
    diagnosis: str | None = sdk.person_field(sensitive=HEALTH)
    health_notes: str | None = sdk.person_field(sensitive=HEALTH)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)


def _record(row: RecordsChild) -> RecordsChildRecord:
    return RecordsChildRecord(
        uid=str(row.id),
        first_name=row.first_name,
        commune=row.commune,
        diagnosis=row.diagnosis,
        health_notes=row.health_notes,
    )


@sdk.plugin_namespace(manifest, description="Dossiers (test).")
class RecordsQuery:
    @strawberry.field(extensions=sdk.requires(READ))
    async def child(self, info: sdk.Info, id: strawberry.ID) -> RecordsChildRecord | None:
        try:
            wanted = uuid.UUID(str(id))
        except ValueError:
            return None
        async with info.context.db_session() as session:
            row = await sdk.get(session, RecordsChild, wanted)
        return _record(row) if row else None

    @strawberry.field(extensions=sdk.requires(READ))
    async def children(self, info: sdk.Info) -> list[RecordsChildRecord]:
        from sqlalchemy import select

        async with info.context.db_session() as session:
            rows = await session.execute(select(RecordsChild).order_by(RecordsChild.first_name))
        return [_record(row) for row in rows.scalars()]


@sdk.hookimpl
def maillage_models() -> list[type]:
    return [RecordsChild]


@sdk.hookimpl
def maillage_migrations() -> sdk.MigrationSource:
    return sdk.MigrationSource(Path(__file__).parent / "versions")


@sdk.hookimpl
def maillage_graphql() -> sdk.GraphQLContribution:
    return sdk.GraphQLContribution(query=RecordsQuery, types=(RecordsChildRecord,))


@sdk.hookimpl
def maillage_actions() -> list[sdk.Action]:
    return [
        sdk.Action("records.read", "Voir les dossiers", default_roles=sdk.POLE_ROLES),
        sdk.Action(
            HEALTH,
            "Voir le diagnostic et les notes de santé",
            default_roles=frozenset({"psychologist", "coordinator"}),
            sensitive=True,
        ),
    ]
