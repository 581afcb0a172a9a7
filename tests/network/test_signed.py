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

from core.contributions import IndicatorSpec
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
    async with db.reference_session() as session:
        document = await release_document(session, uuid.UUID(release_id), install_figures(client))
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


def install_figures(client: GraphQLClient) -> dict[str, IndicatorSpec]:
    return {n: s for n, (_, s) in client.app.state.host.contributions.indicators.items()}


async def attempt(
    client: GraphQLClient, db: Database, envelope: dict[str, Any]
) -> tuple[NetworkRelease, bool]:
    figures = install_figures(client)
    async with db.reference_session() as session:
        try:
            found = await import_release(session, envelope, figures, actor="tests", now=NOW)
        except MaillageError:
            await session.rollback()
            raise
        await session.commit()
        return found


async def remote_pole(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> tuple[dict[str, Any], dict[str, Any], str, Ed25519PrivateKey]:
    """A published release of pole A, and the same as a pole of another install whose
    key the network trusts would send it: (A's document, the remote one, kid, key)."""
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
    return document, as_remote(document, code), kid, key


async def test_a_signed_release_is_verified_audited_and_imported_once(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    document, remote, kid, key = await remote_pole(client, db, two_poles)
    envelope = sign(remote, kid, key)

    before = await count(db)
    # Signed by a key nobody trusts.
    with pytest.raises(ValidationError) as unknown:
        await attempt(client, db, sign(remote, "inconnue", Ed25519PrivateKey.generate()))
    assert unknown.value.field == "kid"
    # One figure altered after signing.
    altered = copy.deepcopy(envelope)
    total = next(c for c in altered["document"]["cells"] if c["coords"] == "")
    total["value"] += 1
    with pytest.raises(ValidationError) as tampered:
        await attempt(client, db, altered)
    assert tampered.value.field == "signature"
    assert await count(db) == before

    release, created = await attempt(client, db, envelope)
    assert created and release.status == "published" and release.version == 1
    after = await count(db)
    assert after[0] == before[0] + 1 and after[1] == before[1] + len(remote["cells"])
    # Again: idempotent.
    again, created_again = await attempt(client, db, envelope)
    assert not created_again and again.id == release.id
    assert await count(db) == after

    # Replays: the same id with other content, the same version under a new id.
    changed = copy.deepcopy(remote)
    changed["reason"] = "autre contenu"
    with pytest.raises(ConflictError) as same_id:
        await attempt(client, db, sign(changed, kid, key))
    assert same_id.value.field == "document.id"
    replay = copy.deepcopy(remote)
    replay["id"] = str(uuid.uuid4())
    with pytest.raises(ConflictError) as old_version:
        await attempt(client, db, sign(replay, kid, key))
    assert old_version.value.field == "document.version"

    # Properly signed but unprotected: a small count published, or a hidden cell
    # that the total gives back.
    second = copy.deepcopy(remote)
    second.update(id=str(uuid.uuid4()), version=2, reason="correction")
    small = copy.deepcopy(second)
    hidden = next(c for c in small["cells"] if c["value"] is None)
    hidden["value"] = 3
    with pytest.raises(ConflictError) as under_k:
        await attempt(client, db, sign(small, kid, key))
    assert under_k.value.field == "document.cells"
    exposed = copy.deepcopy(second)
    for cell in exposed["cells"]:
        if cell["value"] is None and cell["coords"] != "age_bracket=0-2":
            cell["value"] = 15 if cell["coords"] == "age_bracket=3-5" else cell["value"]
    with pytest.raises(ConflictError) as audit:
        await attempt(client, db, sign(exposed, kid, key))
    assert audit.value.field == "cells"
    assert await count(db) == after
    # Another pole's key cannot sign for this one.
    with pytest.raises(ValidationError):
        await attempt(client, db, sign(as_remote(document, "prh-autre"), kid, key))


def with_cell(document: dict[str, Any], figure: str, coords: str, value: int | None) -> Any:
    changed = copy.deepcopy(document)
    changed["cells"].append(
        {"figure": figure, "coords": coords, "labels": {}, "value": value, "reason": None}
    )
    return changed


async def test_an_import_refuses_a_cell_the_network_does_not_collect(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """A commune, a dimension the figure does not have, a table the catalogue does not
    ask for, a figure out of the catalogue, a category out of the vocabulary: each a
    VALIDATION naming the cell, nothing written."""
    _, remote, kid, key = await remote_pole(client, db, two_poles)
    before = await count(db)
    refused = {
        "casework.children_followed [commune = 62119]": with_cell(
            remote, "casework.children_followed", "commune=62119", 40
        ),
        "casework.children_followed [requester_kind = family]": with_cell(
            remote, "casework.children_followed", "requester_kind=family", 40
        ),
        # The catalogue asks for requests by requester kind, not by channel.
        "casework.requests [channel = phone]": with_cell(
            remote, "casework.requests", "channel=phone", 40
        ),
        "kits.loans": with_cell(remote, "kits.loans", "", 40),
        "casework.requests [requester_kind = Dupont]": with_cell(
            remote, "casework.requests", "requester_kind=Dupont", 40
        ),
    }
    for label, document in refused.items():
        with pytest.raises(ValidationError) as error:
            await attempt(client, db, sign(document, kid, key))
        assert error.value.field == "document.cells", label
        assert label in error.value.message, (label, error.value.message)
    assert await count(db) == before
    # The same document without them is imported.
    _, created = await attempt(client, db, sign(remote, kid, key))
    assert created


async def test_an_import_counts_persons_as_this_install_defines_them(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """A document that says children followed are not persons, to publish a small
    count, is refused: the install's own definitions say which figures count persons."""
    _, remote, kid, key = await remote_pole(client, db, two_poles)
    before = await count(db)
    lying = copy.deepcopy(remote)
    for figure in lying["figures"]:
        figure["persons"] = False
    hidden = next(c for c in lying["cells"] if c["coords"] == "age_bracket=0-2")
    assert hidden["value"] is None
    hidden["value"] = 3
    with pytest.raises(ValidationError) as flag:
        await attempt(client, db, sign(lying, kid, key))
    assert flag.value.field == "document.figures"
    assert "casework.children_followed" in flag.value.message
    # Without its flag the small count is still seen: persons are this install's word.
    for figure in lying["figures"]:
        del figure["persons"]
    with pytest.raises(ValidationError):
        await attempt(client, db, sign(lying, kid, key))
    honest = copy.deepcopy(lying)
    honest["figures"] = remote["figures"]
    with pytest.raises(ConflictError) as small:
        await attempt(client, db, sign(honest, kid, key))
    assert small.value.field == "document.cells"
    assert "age_bracket = 0-2" in small.value.message
    assert await count(db) == before


async def test_an_import_refuses_a_half_year_of_a_year_already_published(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    _, remote, kid, key = await remote_pole(client, db, two_poles)
    await attempt(client, db, sign(remote, kid, key))
    before = await count(db)
    half = copy.deepcopy(remote)
    half.update(id=str(uuid.uuid4()), period="2025-S1")
    with pytest.raises(ConflictError) as overlap:
        await attempt(client, db, sign(half, kid, key))
    assert overlap.value.field == "period" and "2025" in overlap.value.message
    assert await count(db) == before
    # Another year is fine.
    other = copy.deepcopy(remote)
    other.update(id=str(uuid.uuid4()), period="2024-S2")
    _, created = await attempt(client, db, sign(other, kid, key))
    assert created
