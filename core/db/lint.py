"""Schema lint: the Citus-readiness rules, checked on the metadata.

Every table is classified ``reference`` or ``tenant``. Tenant tables:
  * primary key exactly ``(tenant_id, id)``;
  * ``tenant_id`` references ``tenants.id``;
  * every foreign key to another tenant table is composite and led by ``tenant_id``
    (``(tenant_id, x_id) → (tenant_id, id)``);
  * every unique constraint and every index is led by ``tenant_id``.
Reference tables have no ``tenant_id`` and never point to a tenant table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table, UniqueConstraint

from core.db.base import table_kind

TENANTS_TABLE = "tenants"


@dataclass(frozen=True)
class LintProblem:
    table: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.table}: {self.rule} — {self.detail}"


def lint_metadata(metadata: MetaData) -> list[LintProblem]:
    problems: list[LintProblem] = []
    for table in metadata.sorted_tables:
        kind = table_kind(table)
        if kind == "tenant":
            problems.extend(_lint_tenant_table(table))
        elif kind == "reference":
            problems.extend(_lint_reference_table(table))
        else:
            problems.append(
                LintProblem(
                    table.name,
                    "unclassified",
                    "map it with TenantScoped (pole data) or Reference (shared data)",
                )
            )
    return problems


def _lint_tenant_table(table: Table) -> list[LintProblem]:
    problems: list[LintProblem] = []
    name = table.name
    pk = [c.name for c in table.primary_key.columns]
    if pk != ["tenant_id", "id"]:
        problems.append(LintProblem(name, "primary-key", f"is {pk}, must be ['tenant_id', 'id']"))
    tenant_fk_found = False
    for fk in table.foreign_key_constraints:
        cols = [c.name for c in fk.columns]
        target = fk.referred_table
        target_cols = [e.column.name for e in fk.elements]
        if target.name == TENANTS_TABLE:
            if cols == ["tenant_id"]:
                tenant_fk_found = True
            continue
        if table_kind(target) == "tenant" and (
            len(cols) < 2 or cols[0] != "tenant_id" or target_cols[0] != "tenant_id"
        ):
            problems.append(
                LintProblem(
                    name,
                    "foreign-key",
                    f"{cols} → {target.name}{target_cols} must be led by tenant_id on both sides",
                )
            )
    if not tenant_fk_found:
        problems.append(LintProblem(name, "tenant-fk", "tenant_id must reference tenants.id"))
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            cols = [c.name for c in constraint.columns]
            if not cols or cols[0] != "tenant_id":
                problems.append(
                    LintProblem(name, "unique", f"unique {cols} must be led by tenant_id")
                )
    for index in table.indexes:
        cols = [getattr(c, "name", str(c)) for c in index.expressions]
        if not cols or cols[0] != "tenant_id":
            problems.append(
                LintProblem(name, "index", f"index {index.name} {cols} must be led by tenant_id")
            )
    for column in table.columns:
        if column.unique and not column.primary_key:
            problems.append(
                LintProblem(name, "unique", f"column {column.name} unique across tenants")
            )
    return problems


def _lint_reference_table(table: Table) -> list[LintProblem]:
    problems: list[LintProblem] = []
    if "tenant_id" in table.columns:
        problems.append(
            LintProblem(table.name, "reference-tenant-id", "a reference table has no tenant_id")
        )
    for fk in table.foreign_key_constraints:
        if table_kind(fk.referred_table) == "tenant":
            problems.append(
                LintProblem(
                    table.name,
                    "reference-points-to-tenant",
                    f"reference table references tenant table {fk.referred_table.name}",
                )
            )
    return problems
