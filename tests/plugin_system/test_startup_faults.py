"""A faulty plugin stops startup with a message naming the plugin and the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import strawberry

from core.app.schema import compose
from core.contributions import GraphQLContribution, MigrationSource
from core.db import migrate
from core.hooks import hookimpl
from core.plugins.host import PluginHost, PluginStartupError
from core.plugins.manifest import API_VERSION, Plugin, Setting
from core.plugins.migrations import MissingMigrations, upgrade_all
from core.sdk import plugin_mutation, plugin_namespace
from tests.plugin_system.conftest import RUNTIME_PLUGIN


def make_plugin(name: str, *, api_version: str = API_VERSION, **hooks: Any) -> ModuleType:
    """A plugin object the way an entry point gives one: a module with a manifest.
    Named after this test module so that the types defined here count as its own."""
    module = ModuleType(__name__)
    module.manifest = Plugin(  # type: ignore[attr-defined]
        name=name,
        version="1.0.0",
        api_version=api_version,
        title=f"Module {name}",
        description="Module de test.",
        **hooks.pop("manifest", {}),
    )
    for hook, function in hooks.items():
        setattr(module, hook, function)
    return module


def problems_of(*plugins: ModuleType) -> str:
    with pytest.raises(PluginStartupError) as info:
        host = PluginHost.start(entry_points=False, extra=plugins)
        compose(host)
    return info.value.message


def test_a_wrong_api_version_names_the_plugin_and_the_fix() -> None:
    message = problems_of(make_plugin("ancien", api_version="0.9"))
    assert "ancien" in message
    assert "écrit pour l'API 0.9" in message and "mettez à jour" in message


def test_a_newer_minor_api_is_refused_an_older_one_accepted() -> None:
    major, minor = API_VERSION.split(".")
    assert "ancien" in problems_of(make_plugin("ancien", api_version=f"{major}.{int(minor) + 1}"))
    PluginHost.start(entry_points=False, extra=[make_plugin("ok", api_version=f"{major}.0")])


def test_an_unknown_hook_name_stops_startup() -> None:
    @hookimpl
    def maillage_model() -> list[type]:  # typo of maillage_models
        return []

    message = problems_of(make_plugin("faute", maillage_model=maillage_model))
    assert "faute" in message and "maillage_model" in message
    assert "crochets connus" in message and "maillage_models" in message


def test_an_unmarked_hook_function_is_reported() -> None:
    def maillage_actions() -> list[Any]:
        return []

    message = problems_of(make_plugin("oubli", maillage_actions=maillage_actions))
    assert "oubli" in message and "pas marquée @hookimpl" in message


def test_an_object_without_manifest_is_refused() -> None:
    with pytest.raises(PluginStartupError) as info:
        PluginHost.start(entry_points=False, extra=[ModuleType("sans_manifeste")])
    assert "manifest = Plugin" in info.value.message


def test_a_missing_requirement_and_a_cycle_are_reported() -> None:
    assert "nécessite le plugin 'absent'" in problems_of(
        make_plugin("seul", manifest={"requires": ("absent",)})
    )
    message = problems_of(
        make_plugin("poule", manifest={"requires": ("oeuf",)}),
        make_plugin("oeuf", manifest={"requires": ("poule",)}),
    )
    assert "dépendances circulaires" in message


def test_a_bad_settings_schema_is_refused() -> None:
    setting = Setting("jours", "int", "Jours", default="trois")
    assert "valeur par défaut invalide" in problems_of(
        make_plugin("reglages", manifest={"settings": (setting,)})
    )


def test_a_namespace_colliding_with_a_core_field_stops_startup() -> None:
    @plugin_namespace("communes")
    class CommunesQuery:
        @strawberry.field
        def total(self) -> int:
            return 0

    @hookimpl
    def maillage_graphql() -> GraphQLContribution:
        return GraphQLContribution(query=CommunesQuery)

    message = problems_of(make_plugin("communes", maillage_graphql=maillage_graphql))
    assert "Query.communes existe déjà (déclaré par core)" in message


@strawberry.type(name="AbBThing")
class ThingOfA:
    value: int


@strawberry.type(name="AbBThing")
class ThingOfAB:
    value: int


@plugin_namespace("ab")
class AbQuery:
    @strawberry.field
    def thing(self) -> ThingOfA:
        return ThingOfA(value=1)


@plugin_namespace("ab_b")
class AbBQuery:
    @strawberry.field
    def thing(self) -> ThingOfAB:
        return ThingOfAB(value=1)


def test_two_plugins_declaring_the_same_type_name_stop_startup() -> None:
    def plugin_with(name: str, query: type) -> ModuleType:
        @hookimpl
        def maillage_graphql() -> GraphQLContribution:
            return GraphQLContribution(query=query)

        return make_plugin(name, maillage_graphql=maillage_graphql)

    message = problems_of(plugin_with("ab", AbQuery), plugin_with("ab_b", AbBQuery))
    assert "AbBThing" in message and "renommez" in message


@strawberry.type
class Sitter:
    name: str


@plugin_namespace("garde")
class GardeQuery:
    @strawberry.field
    def sitters(self) -> list[Sitter]:
        return []


def test_an_ungated_or_unprefixed_mutation_is_refused() -> None:
    @strawberry.type
    class GardeMutation:
        @strawberry.mutation
        def garde_add(self) -> bool:
            return True

        @strawberry.mutation
        def add_sitter(self) -> bool:
            return True

    @hookimpl
    def maillage_graphql() -> GraphQLContribution:
        return GraphQLContribution(query=GardeQuery, mutation=GardeMutation)

    message = problems_of(make_plugin("garde", maillage_graphql=maillage_graphql))
    assert "la mutation gardeAdd n'est pas protégée" in message
    assert "la mutation addSitter doit commencer par « garde »" in message


def test_unprefixed_types_are_named() -> None:
    @strawberry.type
    class GardeMutation:
        @plugin_mutation("garde", description="Ajouter.")
        def garde_add(self) -> bool:
            return True

    @hookimpl
    def maillage_graphql() -> GraphQLContribution:
        return GraphQLContribution(query=GardeQuery, mutation=GardeMutation)

    message = problems_of(make_plugin("garde", maillage_graphql=maillage_graphql))
    assert "le type Sitter doit commencer par « Garde »" in message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PluginStartupError) as info:
        PluginHost.start(
            entry_points=False,
            extra=[make_plugin("un", api_version="9.0"), make_plugin("deux", api_version="x")],
        )
    names = {name for name, _ in info.value.problems}
    assert names == {"un", "deux"}


def test_the_cli_stops_on_an_allow_listed_plugin_that_is_not_installed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(MAILLAGE_VAR_DIR=str(tmp_path), MAILLAGE_PLUGINS="introuvable")
    maillage = str(Path(sys.executable).parent / "maillage")
    result = subprocess.run(
        [maillage, "plugin", "list"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "introuvable" in result.stderr and "non installé" in result.stderr


def test_a_fault_blames_the_allow_list_only_when_it_is_set() -> None:
    with pytest.raises(PluginStartupError) as info:
        PluginHost.start(entry_points=False, extra=[make_plugin("ancien", api_version="0.9")])
    assert info.value.field is None
    with pytest.raises(PluginStartupError) as info:
        PluginHost.start(allow=["introuvable"])
    assert info.value.field == "MAILLAGE_PLUGINS"


async def test_a_plugin_whose_only_migration_was_deleted_is_told_to_generate_one(
    runtime_plugin: ModuleType, tmp_path: Path
) -> None:
    """The scaffold's only revision deleted (pip then installs no versions folder at
    all): startup goes on — ``db revision`` must still work — and the upgrade names the
    plugin, its tables, the folder and the command that generates the revision."""
    versions = tmp_path / "versions"

    @hookimpl
    def maillage_migrations() -> MigrationSource:
        return MigrationSource(versions)

    without = make_plugin(
        RUNTIME_PLUGIN,
        maillage_models=runtime_plugin.maillage_models,
        maillage_migrations=maillage_migrations,
    )
    host = PluginHost.start(entry_points=False, extra=[without])
    url = f"sqlite+aiosqlite:///{tmp_path / 'maillage.sqlite3'}"
    with pytest.raises(MissingMigrations) as info:
        await upgrade_all(url, host)
    message = info.value.message
    assert f"{RUNTIME_PLUGIN} déclare les tables {RUNTIME_PLUGIN}_activities" in message
    assert f"aucune révision dans {versions}" in message
    assert f"maillage db revision --plugin {RUNTIME_PLUGIN} -m" in message
    assert "MAILLAGE_PLUGINS" not in message and "ajoutez le crochet" not in message
    assert info.value.field is None
    assert await migrate.current_revision(url) == migrate.head_revision()


def test_a_figure_whose_facts_lack_a_column_stops_startup() -> None:
    from sqlalchemy import literal, select

    from core.contributions import Dimension, IndicatorSpec

    audience = Dimension("audience", "Public", labels={"parents": "Parents"})

    def facts(scope: Any) -> Any:
        return select(literal(1).label("unit"), literal("parents").label("public"))

    def broken(scope: Any) -> Any:
        raise KeyError("colonne")

    @hookimpl
    def maillage_indicators() -> list[IndicatorSpec]:
        return [
            IndicatorSpec(
                "chiffres.participants",
                "Participants",
                "personnes",
                dimensions=(audience,),
                facts=facts,
                measure="sum",
            ),
            IndicatorSpec("chiffres.casse", "Cassé", "unités", facts=broken),
        ]

    message = problems_of(make_plugin("chiffres", maillage_indicators=maillage_indicators))
    assert "chiffres.participants : colonne(s) absente(s) des faits : audience, value" in message
    assert "chiffres.casse : facts échoue (KeyError" in message


def test_an_indicator_gives_facts_or_compute() -> None:
    from core.contributions import Dimension, IndicatorSpec

    with pytest.raises(ValueError, match="compute ou facts"):
        IndicatorSpec("x.y", "X", "u")
    with pytest.raises(ValueError, match="des dimensions demandent facts"):
        IndicatorSpec("x.y", "X", "u", lambda s, p: {}, dimensions=(Dimension("a", "A"),))  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="mesure inconnue"):
        IndicatorSpec("x.y", "X", "u", facts=lambda s: None, measure="median")
