"""The Citus-readiness lint: every table classified, tenant tables keyed by tenant_id."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from core.db.base import KIND_KEY, Base
from core.db.lint import lint_metadata
from core.db.registry import load_core_models
from tests.isolation.models import IsoBase


def test_core_metadata_obeys_the_key_rules() -> None:
    load_core_models()
    assert [str(p) for p in lint_metadata(Base.metadata)] == []


def test_isolation_test_tables_obey_the_key_rules() -> None:
    assert [str(p) for p in lint_metadata(IsoBase.metadata)] == []


def _bad_metadata() -> MetaData:
    metadata = MetaData()
    Table("tenants", metadata, Column("id", Uuid, primary_key=True), info={KIND_KEY: "reference"})
    Table(
        "good",
        metadata,
        Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
        Column("id", Uuid, primary_key=True, default=uuid.uuid4),
        info={KIND_KEY: "tenant"},
    )
    Table("unclassified", metadata, Column("id", Integer, primary_key=True))
    Table(
        "id_first",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
        info={KIND_KEY: "tenant"},
    )
    Table(
        "single_fk",
        metadata,
        Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
        Column("id", Uuid, primary_key=True),
        Column("good_id", Uuid),
        Column("code", String(10)),
        ForeignKeyConstraint(["good_id"], ["good.id"]),
        UniqueConstraint("code"),
        Index("ix_single_fk_code", "code"),
        info={KIND_KEY: "tenant"},
    )
    Table(
        "no_tenant_fk",
        metadata,
        Column("tenant_id", Uuid, primary_key=True),
        Column("id", Uuid, primary_key=True),
        info={KIND_KEY: "tenant"},
    )
    Table(
        "ref_to_tenant",
        metadata,
        Column("code", String(5), primary_key=True),
        Column("tenant_id", Uuid),
        Column("good_tenant", Uuid),
        Column("good_id", Uuid),
        ForeignKeyConstraint(["good_tenant", "good_id"], ["good.tenant_id", "good.id"]),
        info={KIND_KEY: "reference"},
    )
    return metadata


def test_lint_fails_on_each_kind_of_bad_table() -> None:
    found = {(p.table, p.rule) for p in lint_metadata(_bad_metadata())}
    assert found == {
        ("unclassified", "unclassified"),
        ("id_first", "primary-key"),
        ("single_fk", "foreign-key"),
        ("single_fk", "unique"),
        ("single_fk", "index"),
        ("no_tenant_fk", "tenant-fk"),
        ("ref_to_tenant", "reference-tenant-id"),
        ("ref_to_tenant", "reference-points-to-tenant"),
        ("ref_to_tenant", "reference-personal-data"),
    }
    assert not any(p.table == "good" for p in lint_metadata(_bad_metadata()))


def test_a_shared_table_holding_a_poles_key_is_found_with_or_without_a_foreign_key() -> None:
    """``family_id`` in a reference table is a person's data every pole reads (issue 16);
    a string that only shares the name (an HTTP request id) is not a key."""
    metadata = _bad_metadata()
    Table(
        "families",
        metadata,
        Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
        Column("id", Uuid, primary_key=True),
        info={KIND_KEY: "tenant"},
    )
    Table(
        "shared_notes",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("family_id", Uuid),
        Column("good_id", String(64)),
        info={KIND_KEY: "reference"},
    )
    problems = [p for p in lint_metadata(metadata) if p.table == "shared_notes"]
    assert [(p.rule, p.detail) for p in problems] == [
        ("reference-personal-data", "column family_id holds a key of families, a pole's table")
    ]
    assert "sdk.tenant_fk" in problems[0].fix
