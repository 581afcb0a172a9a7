"""Peer groups, charts and the XLSX of the comparison, from the outside: the API picks a
pole and the poles of the closest population (decision 180), totals over the group
only; the page draws the comparison as accessible SVG beside its table; the XLSX opens
with openpyxl and says « masquée » with the reason where the network has no value."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import event

from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.network.helpers import ANALYST, make_network, publish_directly

FIGURE = "casework.children_followed"
HIDDEN = "secret statistique (seuil de 11 personnes)"
# code → (population, children followed in 2024, in 2025); None: a hidden cell.
POLES: dict[str, tuple[int, int | None, int | None]] = {
    "p100": (100_000, 40, 44),
    "p130": (130_000, 50, None),
    "p160": (160_000, 61, 70),
    "p200": (200_000, 80, 90),
    "p300": (300_000, 120, 150),
    "p800": (800_000, 300, 330),
}
PEERS = """query($figure: String!, $years: [Int!]!, $peerOf: String, $peers: Int! = 5) {
  networkComparison(figure: $figure, years: $years, peerOf: $peerOf, peers: $peers) {
    rows { pole { code } years { year value population per10000 reason } }
    totals { year value population incomplete poles }
    peerGroup { pole { code name } size population populationMin populationMax rule } } }"""


async def test_a_pole_is_compared_with_the_poles_of_closest_population(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    tag = await publish_directly(db, POLES, scale=1)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM network_" in statement and "auth_sessions" not in statement:
            statements.append(statement)

    engine = client.app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = await client.execute(
            PEERS,
            {"figure": FIGURE, "years": [2024, 2025], "peerOf": f"p200-{tag}", "peers": 3},
            actor=ANALYST,
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "errors" not in result, result
    found = result["data"]["networkComparison"]
    # Nearest by the ratio of populations: 160k (×1.25), 300k (×1.5), 130k (×1.54);
    # not 100k (×2), 800k (×4), nor the two local poles (millions of inhabitants).
    assert {r["pole"]["code"] for r in found["rows"]} == {
        f"{code}-{tag}" for code in ("p130", "p160", "p200", "p300")
    }
    assert found["peerGroup"]["pole"] == {"code": f"p200-{tag}", "name": f"Pôle p200-{tag}"}
    assert (found["peerGroup"]["populationMin"], found["peerGroup"]["populationMax"]) == (
        130_000,
        300_000,
    )
    assert found["peerGroup"]["size"] == 3 and "population" in found["peerGroup"]["rule"]
    # Totals over the group only, from published cells; 2025 is incomplete (p130 hidden).
    t24, t25 = found["totals"]
    assert (t24["value"], t24["poles"], t24["incomplete"]) == (50 + 61 + 80 + 120, 4, False)
    assert (t25["value"], t25["poles"], t25["incomplete"]) == (70 + 90 + 150, 3, True)
    assert t25["population"] == 160_000 + 200_000 + 300_000
    # Still the comparison's two statements.
    assert len(statements) == 2

    # Without a peer group: every pole.
    everyone = await client.execute(PEERS, {"figure": FIGURE, "years": [2025]}, actor=ANALYST)
    codes = {r["pole"]["code"] for r in everyone["data"]["networkComparison"]["rows"]}
    assert codes >= {f"{code}-{tag}" for code in POLES} | {two_poles.a.slug, two_poles.b.slug}
    assert everyone["data"]["networkComparison"]["peerGroup"] is None


async def test_a_bad_peer_group_is_a_coded_error_naming_its_argument(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    tag = await publish_directly(db, POLES, scale=1000)
    asked = {"figure": FIGURE, "years": [2025]}
    for variables, code, field in (
        ({"peerOf": "nowhere"}, "NOT_FOUND", "peerOf"),
        ({"peerOf": f"p200-{tag}", "peers": 0}, "VALIDATION", "peers"),
        ({"peerOf": f"p200-{tag}", "peers": 21}, "VALIDATION", "peers"),
        # A local pole that published nothing has no known population.
        ({"peerOf": two_poles.a.slug}, "VALIDATION", "peerOf"),
    ):
        refused = await client.execute(PEERS, {**asked, **variables}, actor=ANALYST)
        [error] = refused["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (code, field)


async def test_the_page_draws_the_group_and_the_xlsx_says_what_is_hidden(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    tag = await publish_directly(db, POLES, scale=30)
    analyst = await client.auth_headers(None, ANALYST)
    params = {
        "chiffre": FIGURE,
        "depuis": "2024",
        "jusqu_a": "2025",
        "pairs_de": f"p200-{tag}",
        "pairs": "3",
    }
    page = await client.http.get("/reseau", params=params, headers=analyst)
    assert page.status_code == 200
    text = page.text
    assert f"Groupe de pairs de Pôle p200-{tag}" in text
    # Two charts, each an image with a title and a description stating its figures.
    assert text.count('role="img"') == 2
    assert '<title id="graphique-pour-10000-titre">' in text
    # 70 children for 4.8 million inhabitants, in the bars' description.
    assert f"Pôle p160-{tag} : 0,1" in text
    assert f"Pôle p130-{tag} 2025 : masquée : {HIDDEN}" in text  # the lines' description
    assert "Masquée : " + HIDDEN in text  # and the table stays
    assert f"Pôle p800-{tag}" not in text.split("<table>")[1]

    downloaded = await client.http.get("/reseau/comparaison.xlsx", params=params, headers=analyst)
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert (
        f'filename="reseau-{FIGURE}-2024-2025-pairs-p200-{tag}.xlsx"'
        in (downloaded.headers["content-disposition"])
    )
    book = openpyxl.load_workbook(io.BytesIO(downloaded.content))
    sheet = book[book.sheetnames[0]]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert f"Groupe de pairs de Pôle p200-{tag}" in rows[1][0]
    by_pole = {(r[0], r[2]): r for r in rows[4:] if r[0]}
    assert by_pole[(f"Pôle p200-{tag}", 2025)][3:7] == [90, 6_000_000, 0.15, 12.5]
    hidden = by_pole[(f"Pôle p130-{tag}", 2025)]
    assert hidden[3] is None and hidden[7] == "masquée : " + HIDDEN
    assert (f"Pôle p800-{tag}", 2025) not in by_pole
    totals = [[c.value for c in r] for r in book[book.sheetnames[1]].iter_rows()]
    total_2025 = next(r for r in totals if r[0] == 2025)
    assert total_2025[1] == 310 and total_2025[5].startswith("incomplet")

    bad = await client.http.get(
        "/reseau/comparaison.xlsx", params={**params, "pairs_de": "nowhere"}, headers=analyst
    )
    assert bad.status_code == 400 and "pôle inconnu" in bad.text
