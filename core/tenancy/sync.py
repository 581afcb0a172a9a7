"""Copy the ``tenants/*.toml`` files into the ``tenants`` table, all or nothing.

Everything is validated (files, then references) before the first write, and the
writes happen in one transaction: a directory with one bad file changes nothing, so
the platform never runs half on the old configuration and half on the new.

A pole whose file disappeared is deactivated, never deleted: its children's files,
loans and history stay in the database until the retention rules say otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.tenancy.config import (
    TenantConfig,
    TenantConfigError,
    TenantConfigErrors,
    reference_problems,
    scan_tenant_dir,
)
from core.tenancy.database import Database
from core.tenancy.models import Tenant

SYNCED_FIELDS = (
    "name",
    "short_name",
    "operator",
    "departement_code",
    "since_year",
    "description",
    "contact",
    "settings",
    "active",
    "source_file",
)


@dataclass(frozen=True)
class SyncReport:
    """What a sync did (or, with ``dry_run``, would do), by slug."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    deactivated: tuple[str, ...] = ()
    changed_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def tenant_values(config: TenantConfig) -> dict[str, Any]:
    """The row a file describes, column by column."""
    return {
        "name": config.name,
        "short_name": config.short_name,
        "operator": config.operator,
        "departement_code": config.departement,
        "since_year": config.since,
        "description": config.description,
        "contact": config.contact.as_dict(),
        # The [oidc] table travels with the settings (tenant.settings["oidc"]).
        "settings": {**config.settings, **({"oidc": config.oidc} if config.oidc else {})},
        "active": config.active,
        "source_file": config.file,
    }


# More checks on the parsed files, run before anything is written (the plugin
# host checks plugin names and settings this way).
ExtraCheck = Callable[[list[TenantConfig]], list[TenantConfigError]]


async def load_and_validate(
    db: Database, directory: Path, *, extra_check: ExtraCheck | None = None
) -> list[TenantConfig]:
    """Structural and reference problems of the whole directory, raised together."""
    configs, problems = scan_tenant_dir(Path(directory))
    if configs:
        async with db.reference_session() as session:
            problems += await reference_problems(session, configs)
        if extra_check is not None:
            problems += extra_check(configs)
    if problems:
        raise TenantConfigErrors(problems)
    return configs


async def sync_tenants(
    db: Database,
    directory: Path,
    *,
    dry_run: bool = False,
    extra_check: ExtraCheck | None = None,
) -> SyncReport:
    """Create, update or deactivate tenants so the table matches the directory.

    Idempotent: a second run over the same files reports everything unchanged.
    ``dry_run`` reads through a plain reference session (nothing to audit, nothing
    written) and reports what a real run would do.
    """
    configs = await load_and_validate(db, directory, extra_check=extra_check)
    if dry_run:
        async with db.reference_session() as session:
            existing = list((await session.execute(select(Tenant))).scalars())
            return _plan(configs, existing, dry_run=True)

    async with db.unscoped(reason="tenants sync", actor="cli") as session:
        existing = list((await session.execute(select(Tenant))).scalars())
        report = _plan(configs, existing, dry_run=False)
        by_slug = {tenant.slug: tenant for tenant in existing}
        for config in configs:
            values = tenant_values(config)
            tenant = by_slug.get(config.slug)
            if tenant is None:
                session.add(Tenant(slug=config.slug, **values))
            elif config.slug in report.updated:
                for name in report.changed_fields[config.slug]:
                    setattr(tenant, name, values[name])
        for slug in report.deactivated:
            by_slug[slug].active = False
        if report.has_changes:
            await session.commit()
    return report


def _plan(configs: list[TenantConfig], existing: list[Tenant], *, dry_run: bool) -> SyncReport:
    by_slug = {tenant.slug: tenant for tenant in existing}
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    changed_fields: dict[str, tuple[str, ...]] = {}
    for config in configs:
        tenant = by_slug.get(config.slug)
        if tenant is None:
            created.append(config.slug)
            continue
        values = tenant_values(config)
        differ = tuple(name for name in SYNCED_FIELDS if getattr(tenant, name) != values[name])
        if differ:
            updated.append(config.slug)
            changed_fields[config.slug] = differ
        else:
            unchanged.append(config.slug)
    in_files = {config.slug for config in configs}
    deactivated = [
        tenant.slug for tenant in existing if tenant.slug not in in_files and tenant.active
    ]
    return SyncReport(
        created=tuple(sorted(created)),
        updated=tuple(sorted(updated)),
        unchanged=tuple(sorted(unchanged)),
        deactivated=tuple(sorted(deactivated)),
        changed_fields=changed_fields,
        dry_run=dry_run,
    )


async def list_tenants(db: Database) -> list[Tenant]:
    """Every tenant, active or not, by slug."""
    async with db.reference_session() as session:
        return list((await session.execute(select(Tenant).order_by(Tenant.slug))).scalars())
