"""The network's yearly synthesis on the document pipeline, read as a person reads it:
the HTML page and the PDF (its text through pypdf) give, per figure of the catalogue,
each pole's value per 10,000 inhabitants, the total of the published cells marked
incomplete, and each hidden cell with its reason."""

from __future__ import annotations

from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from core.testing.network import HIDDEN_REASON
from tests.api.conftest import TwoPoles
from tests.network.helpers import ANALYST, POLE_ADMIN, make_network, publish_directly
from tests.pdf import html_text, pdf_text

POLES = {"s100": (100_000, 40, 44), "s130": (130_000, 50, None), "s200": (200_000, 80, 90)}


async def test_the_synthesis_gives_each_pole_per_10000_and_what_is_hidden(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    tag = await publish_directly(db, POLES, scale=7)
    analyst = await client.auth_headers(None, ANALYST)

    page = await client.http.get("/reseau/synthese", params={"annee": "2025"}, headers=analyst)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    pdf = await client.http.get("/reseau/synthese.pdf", params={"annee": "2025"}, headers=analyst)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"

    for text in (html_text(page.text), pdf_text(pdf.content)):
        assert "Synthèse annuelle 2025 — Réseau de test" in text
        # Each figure of the catalogue has its section, under its title.
        assert "Enfants suivis" in text and "Demandes" in text
        # 90 children for 1,400,000 inhabitants: 0.64 per 10,000, +12.5 % on a year.
        assert f"Pôle s200-{tag} (63) 90 1 400 000 0,64 +12,5 %" in text.replace("\u00a0", " ")
        assert f"Pôle s130-{tag} (63) Masquée : {HIDDEN_REASON}" in text
        # The list of the hidden cells (other tests' poles may share the database).
        assert "Cases masquées : " in text
        assert f"Pôle s130-{tag} (masquée : {HIDDEN_REASON})" in text.split("Cases masquées : ")[1]
        assert "(incomplet)" in text
    # The chart is an image with its title, in the HTML the PDF is made of.
    assert 'role="img"' in page.text and "<title id=" in page.text

    # A pole's administrator is not the network.
    pole = await client.auth_headers(two_poles.a, POLE_ADMIN)
    refused = await client.http.get("/reseau/synthese", headers=pole)
    assert refused.status_code in (303, 403)
