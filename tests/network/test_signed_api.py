"""The GraphQL face of the signed releases and the install's public keys (decision 183):
a pole's administrator or the network's coordinator exports a published release as a
signed document; the coordinator imports another install's document with the CLI's
checks — coded errors and nothing written, the same document twice a no-op — and the
install's public keys answer at /.well-known/maillage-network-keys.json, over real HTTP
too, where they verify the exported signature."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.network.releases import the_network
from core.network.setup import add_pole
from core.network.signed import b64, canonical, public_bytes, sign, trust_key
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.live import DEMO_PASSWORD, LiveServer
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
from tests.network.test_signed import NOW, as_remote, count

EXPORT = """mutation($id: ID!) { exportNetworkRelease(id: $id) {
  signed { kid filename content } errors { code field message } } }"""
IMPORT = """mutation($content: String!) { importNetworkRelease(input: {content: $content}) {
  created release { period version status pole { code } } errors { code field message } } }"""
KEYS = "/.well-known/maillage-network-keys.json"


def verify(envelope: dict[str, Any], keys: dict[str, Any]) -> None:
    """Check a signed document with the published JWK of its kid, as another install
    would: RFC 8037's ``x``, base64url without padding."""
    [jwk] = [k for k in keys["keys"] if k["kid"] == envelope["kid"]]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    public = Ed25519PublicKey.from_public_bytes(raw)
    public.verify(base64.b64decode(envelope["signature"]), canonical(envelope["document"]))


async def publish(client: GraphQLClient, db: Database, pole: Any) -> str:
    await follow_children(db, pole, {1: 3, 4: 15, 8: 30, 13: 20})
    prepared = await run(client, PREPARE, {"period": "2025"}, tenant=pole, actor=POLE_ADMIN)
    release_id = str(prepared["release"]["id"])
    await run(client, SUBMIT, {"id": release_id}, tenant=pole, actor=POLE_ADMIN)
    await run(client, APPROVE, {"id": release_id}, actor=COORDINATOR)
    return release_id


async def test_a_published_release_is_exported_signed_and_verified_with_the_published_keys(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    await make_network(client, db, a, b)
    release_id = await publish(client, db, a)

    exported = await run(client, EXPORT, {"id": release_id}, tenant=a, actor=POLE_ADMIN)
    assert exported["errors"] == [], exported
    envelope = json.loads(exported["signed"]["content"])
    assert envelope["kid"] == exported["signed"]["kid"]
    assert exported["signed"]["filename"] == f"reseau-{a.slug}-2025-v1.json"
    assert envelope["document"]["pole"]["code"] == a.slug
    # The coordinator exports it too; another pole and an analyst cannot.
    by_network = await run(client, EXPORT, {"id": release_id}, actor=COORDINATOR)
    assert json.loads(by_network["signed"]["content"])["document"] == envelope["document"]
    other = await run(client, EXPORT, {"id": release_id}, tenant=b, actor=POLE_ADMIN)
    assert [(e["code"], e["field"]) for e in other["errors"]] == [("NOT_FOUND", "id")]
    refused = await client.execute(EXPORT, {"id": release_id}, actor=ANALYST)
    assert "FORBIDDEN" in json.dumps(refused)
    # A draft is not exported.
    await follow_children(db, b, {4: 20})
    draft = await run(client, PREPARE, {"period": "2025"}, tenant=b, actor=POLE_ADMIN)
    early = await run(client, EXPORT, {"id": draft["release"]["id"]}, actor=COORDINATOR)
    assert [(e["code"], e["field"]) for e in early["errors"]] == [("CONFLICT", "id")]

    answer = await client.http.get(KEYS)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/jwk-set+json")
    keys = answer.json()
    verify(envelope, keys)
    # Nothing private in it.
    assert all(
        set(k) <= {"kty", "crv", "x", "kid", "use", "alg", "publicKey", "created"}
        for k in keys["keys"]
    )


async def test_the_coordinator_imports_a_signed_release_whole_or_not_at_all(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a = two_poles.a
    await make_network(client, db, a, two_poles.b)
    release_id = await publish(client, db, a)
    exported = await run(client, EXPORT, {"id": release_id}, actor=COORDINATOR)
    document = json.loads(exported["signed"]["content"])["document"]
    code = f"remote-{uuid.uuid4().hex[:8]}"
    private = Ed25519PrivateKey.generate()
    kid = f"cle-{code}"
    async with db.reference_session() as session:
        network = await the_network(session)
        pole = await add_pole(
            session, network, code=code, name=f"Pôle {code}", departement="59", actor="tests"
        )
        await trust_key(
            session, pole, kid, b64(public_bytes(private.public_key())), actor="tests", now=NOW
        )
        await session.commit()
    remote = as_remote(document, code)
    content = json.dumps(sign(remote, kid, private))
    before = await count(db)

    # Refused, coded, nothing written: an altered figure, an unknown key, no JSON.
    altered = json.loads(content)
    published = next(c for c in altered["document"]["cells"] if c["value"])
    published["value"] += 1
    unknown = sign(remote, "cle-inconnue", Ed25519PrivateKey.generate())
    for bad, field in (
        (json.dumps(altered), "signature"),
        (json.dumps(unknown), "kid"),
        ("{pas du json", "content"),
        ("[]", "content"),
    ):
        answer = await run(client, IMPORT, {"content": bad}, actor=COORDINATOR)
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [("VALIDATION", field)]
        assert answer["release"] is None
    assert await count(db) == before
    # The network's analyst reads, never imports.
    forbidden = await client.execute(IMPORT, {"content": content}, actor=ANALYST)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    imported = await run(client, IMPORT, {"content": content}, actor=COORDINATOR)
    assert imported["errors"] == [] and imported["created"] is True
    assert imported["release"] == {
        "period": "2025",
        "version": 1,
        "status": "published",
        "pole": {"code": code},
    }
    again = await run(client, IMPORT, {"content": content}, actor=COORDINATOR)
    assert again["errors"] == [] and again["created"] is False
    # The same id with other content is a replay.
    other = dict(remote, reason="autre contenu")
    replay = await run(
        client, IMPORT, {"content": json.dumps(sign(other, kid, private))}, actor=COORDINATOR
    )
    assert [(e["code"], e["field"]) for e in replay["errors"]] == [("CONFLICT", "document.id")]


def test_the_public_keys_answer_over_http_and_verify_an_export(demo_server: LiveServer) -> None:
    base = demo_server.base_url

    def token(email: str) -> dict[str, str]:
        answer = httpx.post(
            f"{base}/auth/login", json={"email": email, "password": DEMO_PASSWORD}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return {"authorization": f"Bearer {answer.json()['access_token']}"}

    def graphql(headers: dict[str, str], query: str, **variables: Any) -> Any:
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
            timeout=60,
        )
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
        return next(iter(answer.json()["data"].values()))

    pole = token("pole-admin@puy-de-dome.maillage.example")
    coordinator = token("network-coordinator@puy-de-dome.maillage.example")
    prepared = graphql(pole, PREPARE, period="2025", reason="")
    release_id = prepared["release"]["id"]
    graphql(pole, SUBMIT, id=release_id)
    graphql(coordinator, APPROVE, id=release_id)
    exported = graphql(coordinator, EXPORT, id=release_id)
    envelope = json.loads(exported["signed"]["content"])

    # Public: no credential needed, as a JWKS.
    answer = httpx.get(f"{base}{KEYS}", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/jwk-set+json")
    assert "max-age" in answer.headers["cache-control"]
    verify(envelope, answer.json())


async def test_the_coordinator_exports_and_imports_on_the_releases_page(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a = two_poles.a
    await make_network(client, db, a, two_poles.b)
    release_id = await publish(client, db, a)
    coordinator = await client.auth_headers(None, COORDINATOR)
    origin = {"origin": "https://maillage.test"}
    listed = await client.http.get("/reseau/publications", headers=coordinator)
    assert "Exporter signé" in listed.text and 'type="file"' in listed.text
    exported = await client.http.post(
        "/reseau/publications", data={"exporter": release_id}, headers={**coordinator, **origin}
    )
    assert exported.status_code == 200
    assert f'filename="reseau-{a.slug}-2025-v1.json"' in exported.headers["content-disposition"]
    envelope = exported.json()
    verify(envelope, (await client.http.get(KEYS)).json())

    # The install's own document is refused on import (its key is not a trusted pole's):
    # coded, shown next to the field, nothing written.
    before = await count(db)
    refused = await client.http.post(
        "/reseau/publications",
        data={"importer": "1"},
        files={"document": ("publication.json", exported.content, "application/json")},
        headers={**coordinator, **origin},
    )
    assert refused.status_code == 400 and 'id="document-error"' in refused.text
    assert "clé de signature inconnue" in refused.text.replace("Clé", "clé")
    assert await count(db) == before

    code = f"remote-{uuid.uuid4().hex[:8]}"
    private = Ed25519PrivateKey.generate()
    async with db.reference_session() as session:
        network = await the_network(session)
        pole = await add_pole(
            session, network, code=code, name=f"Pôle {code}", departement="59", actor="tests"
        )
        await trust_key(
            session,
            pole,
            f"cle-{code}",
            b64(public_bytes(private.public_key())),
            actor="t",
            now=NOW,
        )
        await session.commit()
    remote = json.dumps(sign(as_remote(envelope["document"], code), f"cle-{code}", private))
    for notice in ("la publication est importée", "déjà importé"):
        done = await client.http.post(
            "/reseau/publications",
            data={"importer": "1"},
            files={"document": ("publication.json", remote.encode(), "application/json")},
            headers={**coordinator, **origin},
        )
        assert done.status_code == 303
        shown = await client.http.get(done.headers["location"], headers=coordinator)
        assert notice in shown.text
    # An analyst sees neither form.
    analyst = await client.auth_headers(None, ANALYST)
    page = (await client.http.get("/reseau/publications", headers=analyst)).text
    assert "Exporter signé" not in page and 'type="file"' not in page
