"""A pole declares its territory to the network (decision 182): communes and EPCI from
the shipped territory data; the population its next release is divided by is theirs,
each commune counted once; unknown or malformed codes are coded errors naming the
field, and nothing is written; the network reads the population and a sentence, never
the list. Through the API and the pole's page."""

from __future__ import annotations

from sqlalchemy import func, select

from core.tenancy.database import Database
from core.territory.models import Commune
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.network.helpers import (
    ANALYST,
    APPROVE,
    COORDINATOR,
    POLE_ADMIN,
    PREPARE,
    SUBMIT,
    follow_children,
    make_network,
    run,
)

TERRITORY = """query { poleNetworkTerritory { declared population source
  communes { inseeCode name } epcis { code name } } }"""
DECLARE = """mutation($communes: [String!]!, $epcis: [String!]!) {
  declarePoleNetworkTerritory(input: {communes: $communes, epcis: $epcis}) {
    territory { declared population source communes { inseeCode name } epcis { code name } }
    errors { code field message } } }"""
COMPARE_SOURCE = """query($figure: String!, $years: [Int!]!) {
  networkComparison(figure: $figure, years: $years) {
    rows { pole { code } years { population populationSource per10000 value } } } }"""
LENS_LIEVIN = "246200364"  # the agglomeration of Lens (62498) and 35 other communes


async def _population(db: Database, *conditions: object) -> int:
    async with db.reference_session() as session:
        total = await session.execute(
            select(func.sum(Commune.population)).where(*conditions)  # type: ignore[arg-type]
        )
        return int(total.scalar() or 0)


async def test_a_declared_territory_gives_the_population_of_the_next_release(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    await make_network(client, db, a, b)
    by_default = await run(client, TERRITORY, {}, tenant=a, actor=POLE_ADMIN)
    assert by_default["declared"] is False and by_default["communes"] == []
    assert by_default["source"] == "département 62 (Pas-de-Calais)"
    assert by_default["population"] == await _population(db, Commune.departement_code == "62")

    declared = await run(
        client,
        DECLARE,
        {"communes": ["62119", " 62498 ", "62498"], "epcis": [LENS_LIEVIN]},
        tenant=a,
        actor=POLE_ADMIN,
    )
    assert declared["errors"] == [], declared
    territory = declared["territory"]
    assert [c["name"] for c in territory["communes"]] == ["Béthune", "Lens"]
    assert territory["epcis"][0]["code"] == LENS_LIEVIN
    # Béthune, plus the agglomeration's communes (Lens among them, counted once).
    expected = 25_224 + await _population(db, Commune.epci_siren == LENS_LIEVIN)
    assert territory["population"] == expected
    assert territory["source"] == "territoire déclaré : 2 communes et 1 EPCI"
    # The other pole keeps its département: the declaration is the pole's own.
    other = await run(client, TERRITORY, {}, tenant=b, actor=POLE_ADMIN)
    assert other["declared"] is False and other["source"].startswith("département 63")

    # The next release is divided by it, and says so to the network.
    await follow_children(db, a, {4: 20, 8: 20})
    prepared = await run(client, PREPARE, {"period": "2025"}, tenant=a, actor=POLE_ADMIN)
    assert prepared["release"]["population"] == expected
    release_id = prepared["release"]["id"]
    await run(client, SUBMIT, {"id": release_id}, tenant=a, actor=POLE_ADMIN)
    await run(client, APPROVE, {"id": release_id}, actor=COORDINATOR)
    compared = await run(
        client,
        COMPARE_SOURCE,
        {"figure": "casework.children_followed", "years": [2025]},
        actor=ANALYST,
    )
    [row] = [r for r in compared["rows"] if r["pole"]["code"] == a.slug]
    assert row["years"][0]["population"] == expected
    assert row["years"][0]["populationSource"] == "territoire déclaré : 2 communes et 1 EPCI"
    assert row["years"][0]["per10000"] == round(40 * 10_000 / expected, 2)

    # Emptied: back to the département.
    withdrawn = await run(
        client, DECLARE, {"communes": [], "epcis": []}, tenant=a, actor=POLE_ADMIN
    )
    assert withdrawn["territory"]["declared"] is False


async def test_unknown_or_malformed_codes_are_refused_and_nothing_is_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a = two_poles.a
    await make_network(client, db, a, two_poles.b)
    await run(client, DECLARE, {"communes": ["62119"], "epcis": []}, tenant=a, actor=POLE_ADMIN)
    for communes, epcis, field, words in (
        (["62119", "99999"], [], "communes", "commune inconnue : 99999"),
        (["Béthune"], [], "communes", "code INSEE à 5 caractères attendu : BÉTHUNE"),
        (["62498"], ["123456789"], "epcis", "EPCI inconnu : 123456789"),
        ([], ["2462"], "epcis", "SIREN à 9 chiffres attendu : 2462"),
    ):
        refused = await run(
            client, DECLARE, {"communes": communes, "epcis": epcis}, tenant=a, actor=POLE_ADMIN
        )
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("VALIDATION", field)]
        assert words in refused["errors"][0]["message"] and refused["territory"] is None
    kept = await run(client, TERRITORY, {}, tenant=a, actor=POLE_ADMIN)
    assert [c["inseeCode"] for c in kept["communes"]] == ["62119"] and kept["epcis"] == []
    # The network's people declare nothing for a pole.
    forbidden = await client.execute(DECLARE, {"communes": [], "epcis": []}, actor=COORDINATOR)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_pole_declares_its_territory_on_its_page(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a = two_poles.a
    await make_network(client, db, a, two_poles.b)
    pole = await client.auth_headers(a, POLE_ADMIN)
    origin = {"origin": "https://maillage.test"}
    page = await client.http.get("/pole/reseau/territoire", headers=pole)
    assert page.status_code == 200 and "département 62 (Pas-de-Calais)" in page.text
    bad = await client.http.post(
        "/pole/reseau/territoire",
        data={"communes": "62119, 99999", "epci": ""},
        headers={**pole, **origin},
    )
    assert bad.status_code == 400 and "Commune inconnue : 99999" in bad.text
    assert "62119, 99999</textarea>" in bad.text  # what was typed is kept
    done = await client.http.post(
        "/pole/reseau/territoire",
        data={"communes": "62119\n62498", "epci": ""},
        headers={**pole, **origin},
    )
    assert done.status_code == 303
    shown = await client.http.get(done.headers["location"], headers=pole)
    assert "Le territoire est enregistré" in shown.text
    assert "territoire déclaré : 2 communes" in shown.text and "Béthune (62119)" in shown.text
    assert f"{25_224 + 32_920:,}".replace(",", "\u202f") in shown.text
