"""The network's pages over HTTP: the comparison (French, hidden cells with their
reason, totals marked incomplete) and its CSV; the pole's page previews and submits;
the releases page approves. Through the same named operations as the API."""

from __future__ import annotations

from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.network.helpers import (
    ANALYST,
    COORDINATOR,
    POLE_ADMIN,
    POLE_RELEASES,
    follow_children,
    make_network,
    run,
)


async def test_a_pole_submits_the_coordinator_approves_and_the_network_compares(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a = two_poles.a
    await make_network(client, db, a, two_poles.b)
    await follow_children(db, a, {1: 3, 4: 15, 8: 30, 13: 20})
    pole = await client.auth_headers(a, POLE_ADMIN)
    origin = {"origin": "https://maillage.test"}

    page = await client.http.get("/pole/reseau", headers=pole)
    assert page.status_code == 200 and "Publication au réseau national" in page.text
    bad = await client.http.post(
        "/pole/reseau", data={"periode": "2025-T9"}, headers={**pole, **origin}
    )
    assert bad.status_code == 400 and "2025-T9" in bad.text  # what was typed is kept
    # A draft of the wrong period, abandoned from the page: it blocks nothing.
    wrong = await client.http.post(
        "/pole/reseau", data={"periode": "2025-S1"}, headers={**pole, **origin}
    )
    assert wrong.status_code == 303
    [draft] = await run(client, POLE_RELEASES, {"period": "2025-S1"}, tenant=a, actor=POLE_ADMIN)
    abandoned = await client.http.post(
        "/pole/reseau",
        data={"id": draft["release"]["id"], "action": "abandonner"},
        headers={**pole, **origin},
    )
    assert abandoned.status_code == 303 and "ok=discarded" in abandoned.headers["location"]
    assert await run(client, POLE_RELEASES, {"period": "2025-S1"}, tenant=a, actor=POLE_ADMIN) == []
    done = await client.http.post(
        "/pole/reseau", data={"periode": "2025"}, headers={**pole, **origin}
    )
    assert done.status_code == 303
    preview = await client.http.get("/pole/reseau", headers=pole)
    assert "envoyée au réseau" in preview.text  # what a correction's reason becomes
    assert "secret primaire : moins de 11 personnes" in preview.text
    [item] = await run(client, POLE_RELEASES, {"period": "2025"}, tenant=a, actor=POLE_ADMIN)
    release_id = item["release"]["id"]
    submitted = await client.http.post(
        "/pole/reseau", data={"id": release_id}, headers={**pole, **origin}
    )
    assert submitted.status_code == 303

    coordinator = await client.auth_headers(None, COORDINATOR)
    listed = await client.http.get("/reseau/publications", headers=coordinator)
    assert listed.status_code == 200 and "Approuver" in listed.text
    approved = await client.http.post(
        "/reseau/publications", data={"id": release_id}, headers={**coordinator, **origin}
    )
    assert approved.status_code == 303

    analyst = await client.auth_headers(None, ANALYST)
    compared = await client.http.get(
        "/reseau",
        params={
            "chiffre": "casework.children_followed",
            "depuis": "2025",
            "jusqu_a": "2025",
            "case": "age_bracket=0-2",
        },
        headers=analyst,
    )
    assert compared.status_code == 200
    assert "Masquée : secret statistique (seuil de 11 personnes)" in compared.text
    assert "(incomplet)" in compared.text
    # An analyst sees no approval button.
    assert "Approuver" not in (await client.http.get("/reseau/publications", headers=analyst)).text
    exported = await client.http.get(
        "/reseau/comparaison.csv",
        params={"chiffre": "casework.children_followed", "depuis": "2025", "jusqu_a": "2025"},
        headers=analyst,
    )
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("pôle;département;année;valeur")
    assert any(line.startswith(f"{a.name};62;2025;68;") for line in lines)
    # A network person cannot open the pole's page.
    refused = await client.http.get("/pole/reseau", headers=analyst)
    assert refused.status_code in (303, 403)
