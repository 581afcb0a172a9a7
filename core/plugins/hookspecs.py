"""The hook specifications: every way a plugin (or a part of core) extends maillage.

All hooks take keyword arguments and may ignore the ones they do not need (pluggy
passes only the arguments an implementation names). *Tenant-bound* hooks are called
only on the plugins enabled for that pole (``subset_hook_caller``); the others are
called on every installed plugin at startup. docs/plugins.md documents each one,
and a test fails when one is missing there.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from core.hooks import hookspec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.routing import BaseRoute

    from core.access.actions import Action
    from core.contributions import (
        Event,
        GraphQLContribution,
        IndicatorSpec,
        MigrationSource,
        NavEntry,
        PageContribution,
        Panel,
        PersonalDataSource,
    )
    from core.plugins.manifest import Plugin
    from core.plugins.report_scope import ReportScope
    from core.plugins.sections import ReportSection
    from core.tenancy.database import Database
    from core.tenancy.models import Tenant

# Hooks called with a pole, only on the plugins that pole enabled.
TENANT_BOUND = frozenset(
    {
        "maillage_on_enable",
        "maillage_on_disable",
        "maillage_seed",
        "maillage_event",
        "maillage_navigation",
        "maillage_report_sections",
    }
)


class MaillageSpecs:
    @hookspec
    def maillage_models(self) -> Sequence[type]:
        """Return the SQLAlchemy model classes the plugin owns (``Base`` subclasses with
        ``TenantScoped`` or ``Reference``). Core stamps their tables with the plugin as
        owner: the plugin's migrations, autogenerate and schema lint look at them."""

    @hookspec
    def maillage_migrations(self) -> MigrationSource | None:
        """Return where the plugin's Alembic revisions live. They run after core's, in
        dependency order, with their own version table ``alembic_version_<name>``."""

    @hookspec
    def maillage_graphql(self) -> GraphQLContribution | None:
        """Return the plugin's part of the schema: its namespace query type, its
        (prefixed, gated) mutations and the extra types to register."""

    @hookspec
    def maillage_actions(self) -> Sequence[Action]:
        """Return the actions (permissions) the plugin declares, each with the default
        roles that hold it. Undeclared actions are refused."""

    @hookspec
    def maillage_indicators(self) -> Sequence[IndicatorSpec]:
        """Return the indicators the plugin computes. Aggregates only: a compute
        function returns numbers, never rows."""

    @hookspec
    def maillage_personal_data(self) -> Sequence[PersonalDataSource]:
        """Return the personal data sources the plugin holds about families: how to
        export a family's records (subject access) and how to erase them (retention
        purge, erasure on request). Called on every installed plugin, enabled or not:
        a disabled module's data is still the family's."""

    @hookspec
    def maillage_validate_settings(
        self, plugin: Plugin, settings: Mapping[str, Any]
    ) -> Sequence[tuple[str, str]] | None:
        """Check a pole's settings beyond the manifest's schema (cross-field rules).
        Return ``(setting, problem)`` pairs in French; an empty list means valid.
        Called for the plugin whose settings change only."""

    @hookspec
    def maillage_on_enable(
        self, tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]
    ) -> None:
        """Tenant-bound. The plugin was just enabled for ``tenant``; prepare what it needs
        (default rows…) in ``session``, inside the enabling transaction. May be async."""

    @hookspec
    def maillage_on_disable(self, tenant: Tenant, session: AsyncSession) -> None:
        """Tenant-bound. The plugin is being disabled for ``tenant``. Data is kept; stop
        scheduled work. Runs inside the disabling transaction. May be async."""

    @hookspec
    def maillage_seed(
        self, tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]
    ) -> None:
        """Tenant-bound. Add demo data for ``tenant`` (``maillage demo seed``; never in
        production mode). Must be idempotent: a second run adds nothing. Fictitious data
        only. May be async."""

    @hookspec
    def maillage_routes(self) -> Sequence[BaseRoute]:
        """Return Starlette routes, mounted under ``/plugins/<name>/``. Requests reach them
        only with a pole that enabled the plugin; ``request.state.context`` holds the
        same context as GraphQL resolvers (tenant, actor, session)."""

    @hookspec
    def maillage_pages(self) -> PageContribution | None:
        """Return the plugin's screens of the web app: pages (path, handler, gating
        action, the named operations they run), their templates folder and their
        operations folder. Collected at startup; a page answers 404 to a pole that did
        not enable the plugin."""

    @hookspec
    def maillage_panels(self) -> Sequence[Panel]:
        """Return the plugin's sections on core's pages (API 1.1): on the family's page,
        a panel runs one of the plugin's named operations with ``familyId`` and renders
        one of its templates. Collected at startup (operation and slot checked); shown
        only to a pole that enabled the plugin and to people holding the panel's
        action. The operation and template ship with the plugin's ``maillage_pages``
        contribution (its pages may be empty)."""

    @hookspec
    def maillage_navigation(self) -> Sequence[NavEntry]:
        """Tenant-bound. Return the entries of the main navigation (label, path, the
        action that gates each). Called for each page, only on the plugins the pole
        enabled; an entry the person may not use is not shown."""

    @hookspec
    def maillage_report_sections(self, report: ReportScope) -> Sequence[ReportSection]:
        """Tenant-bound. Return the sections this feature adds to the pole's annual
        activity report for ``report.year`` (key figures, tables, charts, maps, narrative
        slots), built from the pole's figure definitions with ``report``'s helpers.
        Called only for a pole that enabled the plugin. May be async."""

    @hookspec
    def maillage_event(self, event: Event, db: Database) -> None:
        """Tenant-bound. React to an event after the commit that made it true
        (``tenant.created``, ``plugin.enabled``, ``plugin.disabled``, later
        ``follow_up.closed``…). ``db`` opens sessions (``db.session(event.tenant_id)``)
        for work of its own, committed separately. May return an awaitable; failures
        are logged, never undo the commit."""

    @hookspec
    def maillage_cli(self, commands: argparse._SubParsersAction) -> None:
        """Add sub-commands under ``maillage`` (``commands.add_parser(…)``). Set
        ``func(settings, args)`` on the parser (sync or async)."""
