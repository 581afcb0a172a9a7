"""Releases of poles on other installs, as signed documents: the install signs a
published release with its Ed25519 key; the network's install imports it only with a
trusted key for that pole, an intact signature, a new version in order, no published
count of persons under the threshold and an audit that passes — otherwise a coded
error and nothing written. Importing the same document twice is a no-op."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from core.errors import ConflictError, MaillageError, ValidationError
from core.network.models import NetworkRelease, NetworkReleaseCell
from core.network.releases import the_network
from core.network.setup import add_pole
from core.network.signed import (
    b64,
    import_release,
    public_bytes,
    release_document,
    sign,
    signing_key,
    trust_key,
)
from core.settings import DEMO_SECRET_KEY
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.network.helpers import (
    APPROVE,
    COORDINATOR,
    POLE_ADMIN,
    PREPARE,
    SUBMIT,
    follow_children,
    make_network,
    run,
)

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
# The app's own secret in the tests: the GraphQL export (test_signed_api) decrypts the
# install's key that these tests may have made first in the shared PostgreSQL database.
SECRET = DEMO_SECRET_KEY


async def published_document(client: GraphQLClient, db: Database, pole: Any) -> dict[str, Any]:
    await follow_children(db, pole, {1: 3, 4: 15, 8: 30, 13: 20})
    prepared = await run(client, PREPARE, {"period": "2025"}, tenant=pole, actor=POLE_ADMIN)
    release_id = prepared["release"]["id"]
    await run(client, SUBMIT, {"id": release_id}, tenant=pole, actor=POLE_ADMIN)
    await run(client, APPROVE, {"id": release_id}, actor=COORDINATOR)
    figures = {n: s for n, (_, s) in client.app.state.host.contributions.indicators.items()}
    async with db.reference_session() as session:
        document = await release_document(session, uuid.UUID(release_id), figures)
        # The install's own key signs it (made on first use).
        row, private = await signing_key(session, SECRET, now=NOW)
        assert sign(document, row.kid, private)["kid"] == row.kid
        await session.commit()
    return document


def as_remote(document: dict[str, Any], code: str) -> dict[str, Any]:
    """The same release as another install's pole would send it."""
    remote = copy.deepcopy(document)
    remote["id"] = str(uuid.uuid4())
    remote["pole"] = {"code": code, "name": f"Pôle {code}", "departement": "59"}
    return remote


async def count(db: Database) -> tuple[int, int]:
    async with db.reference_session() as session:
        return (
            (await session.execute(select(func.count()).select_from(NetworkRelease))).scalar_one(),
            (
                await session.execute(select(func.count()).select_from(NetworkReleaseCell))
            ).scalar_one(),
        )


async def attempt(db: Database, envelope: dict[str, Any]) -> tuple[NetworkRelease, bool]:
    async with db.reference_session() as session:
        try:
            found = await import_release(session, envelope, actor="tests", now=NOW)
        except MaillageError:
            await session.rollback()
            raise
        await session.commit()
        return found


async def test_a_signed_release_is_verified_audited_and_imported_once(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await make_network(client, db, two_poles.a, two_poles.b)
    document = await published_document(client, db, two_poles.a)
    code = f"prh-lointain-{uuid.uuid4().hex[:6]}"
    key = Ed25519PrivateKey.generate()
    kid = f"autre-{code}"
    async with db.reference_session() as session:
        network = await the_network(session)
        pole = await add_pole(
            session, network, code=code, name="Pôle lointain", departement="59", actor="tests"
        )
        await trust_key(
            session, pole, kid, b64(public_bytes(key.public_key())), actor="tests", now=NOW
        )
        await session.commit()
    remote = as_remote(document, code)
    envelope = sign(remote, kid, key)

    before = await count(db)
    # Signed by a key nobody trusts.
    with pytest.raises(ValidationError) as unknown:
        await attempt(db, sign(remote, "inconnue", Ed25519PrivateKey.generate()))
    assert unknown.value.field == "kid"
    # One figure altered after signing.
    altered = copy.deepcopy(envelope)
    total = next(c for c in altered["document"]["cells"] if c["coords"] == "")
    total["value"] += 1
    with pytest.raises(ValidationError) as tampered:
        await attempt(db, altered)
    assert tampered.value.field == "signature"
    assert await count(db) == before

    release, created = await attempt(db, envelope)
    assert created and release.status == "published" and release.version == 1
    after = await count(db)
    assert after[0] == before[0] + 1 and after[1] == before[1] + len(remote["cells"])
    # Again: idempotent.
    again, created_again = await attempt(db, envelope)
    assert not created_again and again.id == release.id
    assert await count(db) == after

    # Replays: the same id with other content, the same version under a new id.
    changed = copy.deepcopy(remote)
    changed["reason"] = "autre contenu"
    with pytest.raises(ConflictError) as same_id:
        await attempt(db, sign(changed, kid, key))
    assert same_id.value.field == "document.id"
    replay = copy.deepcopy(remote)
    replay["id"] = str(uuid.uuid4())
    with pytest.raises(ConflictError) as old_version:
        await attempt(db, sign(replay, kid, key))
    assert old_version.value.field == "document.version"

    # Properly signed but unprotected: a small count published, or a hidden cell
    # that the total gives back.
    second = copy.deepcopy(remote)
    second.update(id=str(uuid.uuid4()), version=2, reason="correction")
    small = copy.deepcopy(second)
    hidden = next(c for c in small["cells"] if c["value"] is None)
    hidden["value"] = 3
    with pytest.raises(ConflictError) as under_k:
        await attempt(db, sign(small, kid, key))
    assert under_k.value.field == "document.cells"
    exposed = copy.deepcopy(second)
    for cell in exposed["cells"]:
        if cell["value"] is None and cell["coords"] != "age_bracket=0-2":
            cell["value"] = 15 if cell["coords"] == "age_bracket=3-5" else cell["value"]
    with pytest.raises(ConflictError) as audit:
        await attempt(db, sign(exposed, kid, key))
    assert audit.value.field == "cells"
    assert await count(db) == after
    # Another pole's key cannot sign for this one.
    with pytest.raises(ValidationError):
        await attempt(db, sign(as_remote(document, "prh-autre"), kid, key))
