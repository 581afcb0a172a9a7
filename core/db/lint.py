"""Schema lint: the Citus-readiness rules, checked on the metadata.

Every table is classified ``reference`` or ``tenant``. Tenant tables:
  * primary key exactly ``(tenant_id, id)``;
  * ``tenant_id`` references ``tenants.id``;
  * every foreign key to another tenant table is composite and led by ``tenant_id``
    (``(tenant_id, x_id) → (tenant_id, id)``);
  * every unique constraint and every index is led by ``tenant_id``.
Reference tables have no ``tenant_id``, never point to a tenant table, and hold no
key of a pole's row (``family_id`` in a shared table is a person's data every pole
reads, with or without a foreign key).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table, UniqueConstraint, Uuid

from core.db.base import table_kind, table_owner

TENANTS_TABLE = "tenants"


@dataclass(frozen=True)
class LintProblem:
    table: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.table}: {self.rule} — {self.detail}"

    @property
    def fix(self) -> str:
        return FIXES.get(self.rule, "")


# How to fix each rule: what the contract suite and ``db lint`` print after a problem.
FIXES = {
    "unclassified": "map the model with sdk.TenantScoped (a pole's data) or sdk.Reference "
    "(shared data, no pole's row in it)",
    "primary-key": "a TenantScoped model gets (tenant_id, id) by itself; in the migration "
    'write sa.PrimaryKeyConstraint("tenant_id", "id") (regenerate it with maillage db '
    "revision --plugin <name>)",
    "foreign-key": "point to a pole's table with sdk.tenant_fk(...): a composite key "
    "(tenant_id, x_id) → (tenant_id, id)",
    "tenant-fk": "inherit sdk.TenantScoped, whose tenant_id references tenants.id",
    "unique": "use sdk.tenant_unique(...) (tenant_id first) instead of unique=True",
    "index": "use sdk.tenant_index(name, ...) (tenant_id first) instead of index=True",
    "reference-tenant-id": "a table with tenant_id is a pole's: map it with sdk.TenantScoped",
    "reference-points-to-tenant": "a shared table cannot point to a pole's row: move the "
    "link into a TenantScoped table",
    "reference-personal-data": "a shared table is read by every pole: keep a pole's keys "
    "(family, child…) in a TenantScoped table, linked with sdk.tenant_fk",
}


def lint_metadata(metadata: MetaData) -> list[LintProblem]:
    problems: list[LintProblem] = []
    row_keys = _row_keys(metadata)
    for table in metadata.sorted_tables:
        kind = table_kind(table)
        if kind == "tenant":
            problems.extend(_lint_tenant_table(table))
        elif kind == "reference":
            problems.extend(_lint_reference_table(table, row_keys))
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


def _singular(name: str) -> str:
    irregular = {"children": "child", "people": "person"}
    for plural, singular in irregular.items():
        if name.endswith(plural):
            return name.removesuffix(plural) + singular
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name.removesuffix("s")


def _row_keys(metadata: MetaData) -> dict[str, str]:
    """``family_id`` → ``families``: the column names that hold the id of a pole's row.
    A plugin's tables are prefixed (``lending_loans``): ``loan_id`` counts too."""
    keys: dict[str, str] = {}
    for table in metadata.sorted_tables:
        if table_kind(table) != "tenant":
            continue
        singular = _singular(table.name)
        keys.setdefault(f"{singular}_id", table.name)
        owner = table_owner(table)
        if owner is not None and owner != "core" and singular.startswith(f"{owner}_"):
            keys.setdefault(f"{singular.removeprefix(owner + '_')}_id", table.name)
    return keys


def _lint_reference_table(table: Table, row_keys: dict[str, str]) -> list[LintProblem]:
    problems: list[LintProblem] = []
    for column in table.columns:
        target = row_keys.get(column.name)
        # A UUID (how maillage makes ids) or a foreign key: not a string that happens
        # to share the name (the HTTP request id of the audit tables).
        if target is not None and (isinstance(column.type, Uuid) or column.foreign_keys):
            problems.append(
                LintProblem(
                    table.name,
                    "reference-personal-data",
                    f"column {column.name} holds a key of {target}, a pole's table",
                )
            )
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
