"""The plugin host: discovery, validation, and what every hook contributed.

Startup, in order (any fault stops it with one message listing every problem, each
naming the plugin and the fix):

1. core's own features register, each as a pluggy plugin (``CORE_FEATURES``);
2. entry points of the ``maillage.plugins`` group load, filtered by the
   ``MAILLAGE_PLUGINS`` allow-list when it is set, and plugins given at runtime
   (tests) are added;
3. manifests are checked (name, version, API version, settings schema), then
   ``check_pending`` (a hook name no spec knows), then ``requires``;
4. models, actions, indicators, migrations and GraphQL contributions are collected
   once, deterministically: core first, then plugins sorted by name.

Tenant-bound hooks are called through ``pm.subset_hook_caller`` so that a pole only
ever reaches the plugins it enabled.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import inspect
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

import pluggy

from core.access.actions import ActionRegistry
from core.contributions import (
    PANEL_SLOTS,
    Event,
    GraphQLContribution,
    IndicatorSpec,
    MigrationSource,
    PageContribution,
    Panel,
    PersonalDataSource,
)
from core.db.base import OWNER_KEY, Base, table_kind
from core.errors import ConfigurationError
from core.hooks import PROJECT
from core.plugins.figures import facts_problem
from core.plugins.hookspecs import TENANT_BOUND, MaillageSpecs
from core.plugins.manifest import Plugin

log = logging.getLogger("maillage.plugins")

ENTRY_POINT_GROUP = "maillage.plugins"
CORE = "core"

# Core's features, registered through the same hooks as plugins, in this order: the
# order of their fields in the schema's root types (graphql/schema.graphql), the pole
# and its areas first. Named, not imported: each lives in its own layer, above or
# below this module.
CORE_FEATURES: tuple[str, ...] = (
    "core.tenancy.feature",
    "core.domain.areas.feature",
    "core.territory.feature",
    "core.audit.feature",
    "core.plugins.feature",
    "core.auth.feature",
    "core.domain.structures.feature",
    "core.domain.families.feature",
    "core.domain.casework.feature",
    "core.domain.plans.feature",
    "core.domain.gdpr.feature",
    "core.domain.outreach.feature",
    "core.domain.adhesions.feature",
    "core.domain.kits.feature",
    "core.domain.questionnaires.feature",
    "core.domain.actionplan.feature",
    "core.domain.report.feature",
    "core.domain.letterhead.feature",
    "core.network.feature",
    "core.app.pages.home",
    "core.app.pages.members",
    "core.app.feature",
    "core.cli.feature",
)


def first_party_names() -> list[str]:
    """Plugins shipped by the maillage distribution itself (what graphql/schema.graphql
    is exported with)."""
    dist = importlib.metadata.distribution("maillage")
    return sorted(ep.name for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP)


class PluginStartupError(ConfigurationError):
    """Startup stopped: one or more plugins are faulty. ``problems`` holds
    ``(plugin, problem)`` pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]], *, allow_listed: bool = False) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {name} : {problem}" for name, problem in self.problems)
        # MAILLAGE_PLUGINS is named only when the operator set it: blaming a variable
        # nobody set sent integrators looking in the wrong place (issue 16).
        super().__init__(
            f"démarrage interrompu, {len(self.problems)} problème(s) de plugin :\n{lines}",
            field="MAILLAGE_PLUGINS" if allow_listed else None,
        )


@dataclass(frozen=True)
class LoadedPlugin:
    manifest: Plugin
    obj: object
    source: str  # "entry point name = module:object", or "runtime"


@dataclass
class Contributions:
    """Everything collected at startup, per owner ("core" or a plugin name)."""

    graphql: list[tuple[str, GraphQLContribution]] = field(default_factory=list)
    indicators: dict[str, tuple[str, IndicatorSpec]] = field(default_factory=dict)
    migrations: dict[str, MigrationSource] = field(default_factory=dict)
    tables: dict[str, list[str]] = field(default_factory=dict)
    # (owner, source), in erasure order.
    personal_data: list[tuple[str, PersonalDataSource]] = field(default_factory=list)
    # (owner, screens of the web app), core first.
    pages: list[tuple[str, PageContribution]] = field(default_factory=list)
    # (owner, section on one of core's pages), in display order.
    panels: list[tuple[str, Panel]] = field(default_factory=list)


class PluginHost:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(MaillageSpecs)
        self.core_features: list[object] = []
        self.plugins: dict[str, LoadedPlugin] = {}
        self.actions = ActionRegistry()
        self.contributions = Contributions()
        self._problems: list[tuple[str, str]] = []
        self._allow_listed = False  # MAILLAGE_PLUGINS set: name it in startup faults
        self._pending: set[asyncio.Task[None]] = set()

    # --- building ----------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        *,
        allow: Sequence[str] | None = None,
        entry_points: bool = True,
        extra: Iterable[object] = (),
    ) -> PluginHost:
        """Load, validate and collect; raise ``PluginStartupError`` on any fault.

        ``allow`` is the ``MAILLAGE_PLUGINS`` allow-list (None: every installed plugin);
        ``extra`` adds plugin objects directly (tests, the integrator's fixtures).
        """
        host = cls()
        host._allow_listed = allow is not None
        host._register_core()
        if entry_points:
            host._discover(allow)
        for obj in extra:
            host._register(obj, source="runtime")
        host._finish()
        return host

    @classmethod
    def from_settings(cls, settings: Any, *, extra: Iterable[object] = ()) -> PluginHost:
        return cls.start(allow=settings.plugins, extra=extra)

    def _register_core(self) -> None:
        for module_name in CORE_FEATURES:
            module = importlib.import_module(module_name)
            self.pm.register(module, name=module_name)
            self.core_features.append(module)

    def _discover(self, allow: Sequence[str] | None) -> None:
        seen: set[tuple[str, str]] = set()
        found: dict[str, importlib.metadata.EntryPoint] = {}
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if (ep.name, ep.value) in seen:
                continue  # the same distribution seen twice on sys.path
            seen.add((ep.name, ep.value))
            if ep.name in found:
                self._problem(
                    ep.name,
                    f"deux distributions déclarent ce plugin ({found[ep.name].value} et "
                    f"{ep.value}) : désinstallez l'une d'elles",
                )
                continue
            found[ep.name] = ep
        if allow is not None:
            for name in sorted(set(allow) - set(found)):
                self._problem(
                    name,
                    "cité dans MAILLAGE_PLUGINS mais non installé : installez-le "
                    "(pip install …) ou retirez-le de la liste",
                )
        for name in sorted(found):
            if allow is not None and name not in allow:
                log.info("plugin skipped (not allow-listed)", extra={"plugin": name})
                continue
            ep = found[name]
            try:
                obj = ep.load()
            except Exception as exc:  # any import error of a third-party package
                self._problem(
                    name,
                    f"chargement impossible ({ep.value}) : {type(exc).__name__}: {exc} — "
                    "vérifiez l'installation du paquet",
                )
                continue
            self._register(obj, source=f"{ep.name} = {ep.value}", entry_name=ep.name)

    def _register(self, obj: object, *, source: str, entry_name: str | None = None) -> None:
        manifest = getattr(obj, "manifest", None)
        label = entry_name or getattr(obj, "__name__", repr(obj))
        if not isinstance(manifest, Plugin):
            self._problem(
                label,
                "pas de manifeste : l'objet du point d'entrée doit exposer "
                "« manifest = Plugin(…) » (core.sdk)",
            )
            return
        problems = manifest.problems()
        if entry_name is not None and entry_name != manifest.name:
            problems.append(
                f"le point d'entrée s'appelle {entry_name!r} mais le manifeste {manifest.name!r} "
                ": donnez-leur le même nom"
            )
        if manifest.name in self.plugins:
            problems.append("installé deux fois")
        for attr in dir(obj):
            unmarked = self.pm.parse_hookimpl_opts(obj, attr) is None
            if attr.startswith("maillage_") and callable(getattr(obj, attr)) and unmarked:
                problems.append(
                    f"la fonction {attr} n'est pas marquée @hookimpl : elle ne serait "
                    "jamais appelée"
                )
        if problems:
            for problem in problems:
                self._problem(manifest.name, problem)
            return
        try:
            self.pm.register(obj, name=manifest.name)
        except pluggy.PluginValidationError as exc:
            self._problem(manifest.name, f"crochet invalide : {exc}")
            return
        self.plugins[manifest.name] = LoadedPlugin(manifest=manifest, obj=obj, source=source)

    def _finish(self) -> None:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self._problem(
                self._name_of(exc.plugin),
                f"{exc} — crochets connus : {', '.join(sorted(self.hook_names()))}",
            )
        for name, loaded in sorted(self.plugins.items()):
            for required in loaded.manifest.requires:
                if required not in self.plugins:
                    self._problem(
                        name,
                        f"nécessite le plugin {required!r}, absent : installez-le (et "
                        "ajoutez-le à MAILLAGE_PLUGINS si la liste est définie)",
                    )
        self.order()  # a dependency cycle is a startup fault too
        if not self._problems:
            self._collect()
        if self._problems:
            raise PluginStartupError(self._problems, allow_listed=self._allow_listed)

    def _problem(self, name: str, problem: str) -> None:
        self._problems.append((name, problem))

    def _name_of(self, obj: object) -> str:
        return self.pm.get_name(obj) or repr(obj)

    # --- collection --------------------------------------------------------------------

    def owners(self) -> list[tuple[str, object]]:
        """(owner, object) in the deterministic order: core features, then plugins by name."""
        return [(CORE, f) for f in self.core_features] + [
            (name, self.plugins[name].obj) for name in sorted(self.plugins)
        ]

    def only(self, hook: str, obj: object) -> Any:
        """The hook restricted to one registered object (core feature or plugin)."""
        others = [p for p in self.pm.get_plugins() if p is not obj]
        return self.pm.subset_hook_caller(hook, remove_plugins=others)

    def _call_one(self, obj: object, hook: str, **kwargs: Any) -> Any:
        results = self.only(hook, obj)(**kwargs)
        return results[0] if results else None

    def _collect(self) -> None:
        c = self.contributions
        claimed: dict[str, str] = {}
        for owner, obj in self.owners():
            try:
                models = self._call_one(obj, "maillage_models") or ()
                for model in models:
                    table = getattr(model, "__table__", None)
                    if table is None or not isinstance(model, type) or not issubclass(model, Base):
                        self._problem(owner, f"{model!r} n'est pas un modèle (sous-classe de Base)")
                        continue
                    if table_kind(table) is None:
                        self._problem(owner, f"table {table.name} : ni TenantScoped ni Reference")
                    if table.name in claimed and claimed[table.name] != owner:
                        self._problem(
                            owner, f"table {table.name} déjà déclarée par {claimed[table.name]}"
                        )
                        continue
                    if owner != CORE and not table.name.startswith(owner + "_"):
                        self._problem(
                            owner,
                            f"table {table.name} : les tables d'un plugin commencent par "
                            f"« {owner}_ »",
                        )
                    claimed[table.name] = owner
                    table.info[OWNER_KEY] = owner
                    c.tables.setdefault(owner, []).append(table.name)

                for problem in self.actions.add(
                    owner, self._call_one(obj, "maillage_actions") or ()
                ):
                    self._problem(owner, problem)

                for spec in self._call_one(obj, "maillage_indicators") or ():
                    if owner != CORE and not spec.name.startswith(owner + "."):
                        self._problem(
                            owner, f"indicateur {spec.name} : préfixez-le par « {owner}. »"
                        )
                    if spec.name in c.indicators:
                        self._problem(
                            owner,
                            f"indicateur {spec.name} déjà déclaré par {c.indicators[spec.name][0]}",
                        )
                    problem = facts_problem(spec)
                    if problem is not None:
                        self._problem(owner, problem)
                    c.indicators[spec.name] = (owner, spec)

                source = self._call_one(obj, "maillage_migrations")
                if source is not None:
                    if owner == CORE:
                        self._problem(owner, "core n'utilise pas maillage_migrations")
                    else:
                        # A folder with no revision yet (or none at all: pip installs
                        # no empty folder) is not a startup fault: ``db revision``
                        # must still run to write the first one, and ``db upgrade``
                        # says what is missing (core.plugins.migrations).
                        c.migrations[owner] = source

                for data_source in self._call_one(obj, "maillage_personal_data") or ():
                    if not isinstance(data_source, PersonalDataSource):
                        self._problem(owner, f"{data_source!r} n'est pas un PersonalDataSource")
                        continue
                    c.personal_data.append((owner, data_source))

                contribution = self._call_one(obj, "maillage_graphql")
                if contribution is not None:
                    c.graphql.append((owner, contribution))

                screens = self._call_one(obj, "maillage_pages")
                if screens is not None:
                    if not isinstance(screens, PageContribution):
                        self._problem(owner, f"{screens!r} n'est pas un PageContribution")
                    else:
                        c.pages.append((owner, screens))

                for panel in self._call_one(obj, "maillage_panels") or ():
                    if not isinstance(panel, Panel):
                        self._problem(owner, f"{panel!r} n'est pas un Panel")
                    elif panel.slot not in PANEL_SLOTS:
                        slots = ", ".join(sorted(PANEL_SLOTS))
                        self._problem(
                            owner,
                            f"panneau {panel.title!r} : emplacement inconnu "
                            f"{panel.slot!r} (emplacements : {slots})",
                        )
                    else:
                        c.panels.append((owner, panel))
            except Exception as exc:  # a plugin's hook crashed at startup
                self._problem(
                    owner, f"un crochet a échoué au démarrage : {type(exc).__name__}: {exc}"
                )
        c.personal_data.sort(key=lambda item: (item[1].order, item[0], item[1].name))
        c.panels.sort(key=lambda item: (item[1].order, item[0], item[1].title))
        for owner, tables in c.tables.items():
            if owner != CORE and tables and owner not in c.migrations:
                self._problem(
                    owner,
                    "déclare des tables sans migrations : ajoutez le crochet "
                    "maillage_migrations (voir « maillage plugin new »)",
                )

    # --- queries -----------------------------------------------------------------------

    def hook_names(self) -> list[str]:
        return sorted(name for name in dir(MaillageSpecs) if name.startswith("maillage_"))

    def manifest(self, name: str) -> Plugin | None:
        loaded = self.plugins.get(name)
        return loaded.manifest if loaded else None

    def order(self) -> list[str]:
        """Plugin names in dependency order (requirements first, then by name)."""
        sorter: TopologicalSorter[str] = TopologicalSorter()
        for name in sorted(self.plugins):
            sorter.add(
                name, *[r for r in self.plugins[name].manifest.requires if r in self.plugins]
            )
        try:
            sorter.prepare()
        except CycleError as exc:
            self._problem(
                str(exc.args[1][0]),
                "dépendances circulaires : " + " → ".join(exc.args[1]),
            )
            return sorted(self.plugins)
        ordered: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            ordered.extend(ready)
            sorter.done(*ready)
        return ordered

    def effective_enabled(self, rows: Mapping[str, bool]) -> frozenset[str]:
        """Installed plugins a pole has enabled: its explicit choices, else the manifest's
        ``default_enabled``; a plugin whose requirements are not all enabled is off."""
        wanted = {
            name
            for name, loaded in self.plugins.items()
            if rows.get(name, loaded.manifest.default_enabled)
        }
        changed = True
        while changed:
            changed = False
            for name in sorted(wanted):
                if not set(self.plugins[name].manifest.requires) <= wanted:
                    wanted.discard(name)
                    changed = True
        return frozenset(wanted)

    # --- tenant-bound calls ------------------------------------------------------------

    def tenant_caller(self, hook: str, enabled: Iterable[str]) -> Any:
        """The hook restricted to core features and the plugins in ``enabled``."""
        if hook not in TENANT_BOUND:
            raise ValueError(f"{hook} is not tenant-bound")
        keep = set(enabled)
        remove = [loaded.obj for name, loaded in self.plugins.items() if name not in keep]
        return self.pm.subset_hook_caller(hook, remove_plugins=remove)

    def plugin_caller(self, hook: str, name: str) -> Any:
        """The hook restricted to one plugin (its settings are its own)."""
        return self.only(hook, self.plugins[name].obj)

    def core_caller(self, hook: str) -> Any:
        return self.pm.subset_hook_caller(
            hook, remove_plugins=[loaded.obj for loaded in self.plugins.values()]
        )

    # --- events ------------------------------------------------------------------------

    def bind(self, db: Any) -> None:
        """Deliver the events committed through ``db``'s sessions to ``maillage_event``."""
        db.event_sink = lambda events: self._schedule(db, events)

    def _schedule(self, db: Any, events: list[Event]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            log.error("events dropped: no running loop", extra={"event": "plugin_event"})
            return
        task = loop.create_task(self.dispatch(db, events))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def dispatch(self, db: Any, events: Sequence[Event]) -> None:
        """Call ``maillage_event`` for each event, on core features and on the plugins
        enabled for the event's pole. One handler's failure is logged and does not stop
        the others (the commit already happened)."""
        from core.plugins.state import enabled_plugins  # state sits beside, needs the db

        enabled_by_tenant: dict[uuid.UUID | None, frozenset[str]] = {}
        for item in events:
            if item.tenant_id not in enabled_by_tenant:
                enabled_by_tenant[item.tenant_id] = (
                    await enabled_plugins(self, db, item.tenant_id)
                    if item.tenant_id is not None
                    else frozenset()
                )
            caller = self.tenant_caller("maillage_event", enabled_by_tenant[item.tenant_id])
            for impl in caller.get_hookimpls():
                try:
                    given = {"event": item, "db": db}
                    result = impl.function(**{name: given[name] for name in impl.argnames})
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception(
                        "event handler failed",
                        extra={"event": "plugin_event", "plugin": impl.plugin_name},
                    )

    async def drain(self) -> None:
        """Wait for the events already handed over (tests, graceful shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)


async def call_async(caller: Any, **kwargs: Any) -> list[Any]:
    """Call a hook whose implementations may be coroutines; await them in turn (they
    share one session, which takes one operation at a time)."""
    results = []
    for result in caller(**kwargs):
        results.append(await result if inspect.isawaitable(result) else result)
    return results
