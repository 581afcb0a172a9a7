"""The GraphQL API end to end: real client, real ASGI app, real database."""

from __future__ import annotations

from pathlib import Path

import strawberry
from graphql import parse, validate
from sqlalchemy import event

from core.app.schema import build_schema
from core.domain.areas.service import upsert_area
from core.plugins.host import PluginHost, first_party_names
from core.tenancy.database import Database
from tests.api.conftest import OPERATIONS, GraphQLClient, TwoPoles


async def test_search_and_directory_in_one_request(client: GraphQLClient, two_poles: TwoPoles):
    # Sibling root fields resolve concurrently and share the request's session.
    result = await client.execute(
        '{ communes(search: "chatel guyon") { totalCount edges { node { inseeCode name '
        "postalCodes epci { name kindLabel } departement { code name } } } } "
        "tenants { slug name } }"
    )
    assert "errors" not in result, result
    first = result["data"]["communes"]["edges"][0]["node"]
    assert first["inseeCode"] == "63103"
    assert first["name"] == "Châtel-Guyon"
    assert first["postalCodes"] == ["63140"]
    assert first["epci"] == {
        "name": "CA Riom Limagne et Volcans",
        "kindLabel": "Communauté d'agglomération",
    }
    slugs = {t["slug"] for t in result["data"]["tenants"]}
    assert {two_poles.a.slug, two_poles.b.slug} <= slugs


async def test_communes_pages_with_cursors(client: GraphQLClient):
    first = await client.operation("CommuneSearch", {"search": "saint", "first": 5})
    page = first["data"]["communes"]
    assert len(page["edges"]) == 5 and page["pageInfo"]["hasNextPage"]
    second = await client.operation(
        "CommuneSearch", {"search": "saint", "first": 5, "after": page["pageInfo"]["endCursor"]}
    )
    codes_1 = {e["node"]["inseeCode"] for e in page["edges"]}
    codes_2 = {e["node"]["inseeCode"] for e in second["data"]["communes"]["edges"]}
    assert codes_1.isdisjoint(codes_2)
    assert second["data"]["communes"]["totalCount"] == page["totalCount"]


async def test_first_above_100_is_a_coded_validation_error(client: GraphQLClient):
    result = await client.operation("CommuneSearch", {"search": "riom", "first": 101})
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": "first"}


async def test_bad_cursor_is_a_coded_validation_error(client: GraphQLClient):
    result = await client.operation("CommuneSearch", {"search": "riom", "after": "nope"})
    assert result["errors"][0]["extensions"] == {"code": "VALIDATION", "field": "after"}


async def test_current_pole_comes_from_the_demo_header(client: GraphQLClient, two_poles):
    result = await client.operation("Poles", tenant=two_poles.a.slug)
    assert result["data"]["tenant"]["slug"] == two_poles.a.slug
    without = await client.operation("Poles")
    assert without["data"]["tenant"] is None


async def test_service_areas_need_a_pole(client: GraphQLClient):
    result = await client.operation("ServiceAreas")
    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "field": "areas.read"}


async def test_each_pole_sees_only_its_service_areas(client: GraphQLClient, two_poles):
    a = await client.operation("ServiceAreas", tenant=two_poles.a.slug)
    b = await client.operation("ServiceAreas", tenant=two_poles.b.slug)
    assert [x["name"] for x in a["data"]["serviceAreas"]] == ["Artois"]
    assert [x["name"] for x in b["data"]["serviceAreas"]] == ["Combrailles"]
    assert {c["inseeCode"] for c in b["data"]["serviceAreas"][0]["communes"]} == {
        "63103",
        "63300",
    }


async def test_node_refetches_communes_poles_and_areas(client: GraphQLClient, two_poles):
    areas = await client.operation("ServiceAreas", tenant=two_poles.a.slug)
    area_id = areas["data"]["serviceAreas"][0]["id"]
    node = await client.operation("Node", {"id": area_id}, tenant=two_poles.a.slug)
    assert node["data"]["node"] == {"id": area_id, "__typename": "ServiceArea", "name": "Artois"}

    search = await client.operation("CommuneSearch", {"search": "62119", "first": 1})
    commune_id = search["data"]["communes"]["edges"][0]["node"]["id"]
    node = await client.operation("Node", {"id": commune_id})
    assert node["data"]["node"]["inseeCode"] == "62119"

    poles = await client.operation("Poles")
    pole = next(t for t in poles["data"]["tenants"] if t["slug"] == two_poles.b.slug)
    node = await client.operation("Node", {"id": pole["id"]})
    assert node["data"]["node"]["slug"] == two_poles.b.slug


async def test_foreign_id_behaves_like_missing_id(client: GraphQLClient, two_poles):
    areas = await client.operation("ServiceAreas", tenant=two_poles.a.slug)
    foreign_id = areas["data"]["serviceAreas"][0]["id"]
    missing_id = str(
        strawberry.relay.GlobalID("ServiceArea", "01900000-0000-7000-8000-000000000000")
    )
    foreign = await client.operation("Node", {"id": foreign_id}, tenant=two_poles.b.slug)
    missing = await client.operation("Node", {"id": missing_id}, tenant=two_poles.b.slug)
    malformed = await client.operation("Node", {"id": "not-a-global-id"}, tenant=two_poles.b.slug)
    assert foreign == missing == malformed == {"data": {"node": None}}


async def test_unexpected_errors_are_masked_with_a_request_id(client: GraphQLClient, monkeypatch):
    from core.territory import search

    async def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("SELECT secret FROM communes")

    monkeypatch.setattr(search, "search_communes", broken)
    result = await client.execute(
        '{ communes(search: "riom") { totalCount } }', headers={"X-Request-Id": "req-12345678"}
    )
    (error,) = result["errors"]
    assert error["message"] == "Erreur inattendue."
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-12345678"}
    assert "secret" not in str(result)


async def test_too_deep_queries_are_refused(client: GraphQLClient):
    deep = '{ node(id: "x") { id ' + "... on Commune { departement { id " * 12 + "}" * 24 + " } }"
    result = await client.execute(deep)
    assert result["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_statement_count_stays_constant_as_areas_grow(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
):
    statements: list[str] = []

    def count(*args, **_kw):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    await client.auth_headers(two_poles.a.slug)  # the test account and token, made once
    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        await client.operation("ServiceAreas", tenant=two_poles.a.slug)
        with_one = len(statements)
        async with db.session(two_poles.a.id) as session:
            for i in range(6):
                await upsert_area(
                    session, name=f"Zone {i}", insee_codes=["62119", "62498", f"6204{i}"]
                )
            await session.commit()
        statements.clear()
        result = await client.operation("ServiceAreas", tenant=two_poles.a.slug)
        assert len(result["data"]["serviceAreas"]) == 7
        assert len(statements) == with_one
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


def first_party_host() -> PluginHost:
    return PluginHost.start(allow=first_party_names())


def test_every_committed_operation_validates_against_the_schema():
    schema = build_schema(first_party_host())._schema
    documents = sorted(OPERATIONS.glob("*.graphql"))
    assert documents
    for path in documents:
        errors = validate(schema, parse(path.read_text()))
        assert errors == [], f"{path.name}: {errors}"


def test_committed_schema_matches_the_built_schema():
    from core.app.schema import schema_sdl

    committed = (OPERATIONS.parent / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(first_party_host()), (
        "run `maillage schema export` and commit the result"
    )


def test_schema_is_built_deterministically():
    assert build_schema(first_party_host()).as_str() == build_schema(first_party_host()).as_str()


async def test_every_shipped_epci_kind_has_a_graphql_value_and_a_french_label(db: Database):
    from sqlalchemy import select

    from core.territory.graphql import EpciKind
    from core.territory.models import Epci

    async with db.reference_session() as session:
        kinds = set((await session.execute(select(Epci.kind).distinct())).scalars())
    assert kinds >= {"CC", "CA", "CU", "METRO", "MET69"}
    assert all(EpciKind(k).label for k in kinds)


async def test_lyon_metropole_resolves_through_graphql(client: GraphQLClient):
    result = await client.execute(
        '{ communes(search: "69123") { edges { node { epci { kind kindLabel } } } } }'
    )
    assert "errors" not in result, result
    epci = result["data"]["communes"]["edges"][0]["node"]["epci"]
    assert epci["kind"] == "MET69"


def test_schema_export_is_stable_across_processes(tmp_path: Path) -> None:
    """Each run builds the same SDL whatever the hash seed (no set ordering leaks): a
    command started cold with a seed of its own, and one forked from the suite's warm
    process (tests/warm.py), whose seed is this run's random one."""
    import os
    import subprocess
    import sys

    from tests.cli.run import maillage as warm_maillage

    maillage = str(Path(sys.executable).parent / "maillage")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(MAILLAGE_VAR_DIR=str(tmp_path))
    cold = tmp_path / "schema-cold.graphql"
    done = subprocess.run(
        [maillage, "schema", "export", "--output", str(cold)],
        env={**env, "PYTHONHASHSEED": "4242"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    forked = tmp_path / "schema-warm.graphql"
    done = warm_maillage("schema", "export", "--output", str(forked), env=env)
    assert done.returncode == 0, done.stderr
    outputs = [path.read_text(encoding="utf-8") for path in (cold, forked)]
    assert outputs[0] == outputs[1]
    assert outputs[0] == (OPERATIONS.parent / "schema.graphql").read_text(encoding="utf-8")
