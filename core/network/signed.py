"""Releases of poles on other installs travel as signed documents (decision 157).

A published release is exported as JSON — the pole, the period and version, the
threshold, the figures (and whether each counts persons) and every cell, hidden ones
without value — signed with the install's Ed25519 key over its canonical form
(``json.dumps`` with sorted keys, no spaces, UTF-8). The network's install imports it
only when:

* the key is one it trusts, for that pole (``network_trusted_keys``), and the signature
  holds (an altered figure breaks it);
* it is new: the same document again is a no-op (idempotent), the same document id
  with other content or a version already imported is a replay, refused; versions
  come in order;
* it is what the network collects: every cell's figure is in the network's catalogue
  (any of its versions), known to this install, broken down only by coarse dimensions
  of a table the catalogue asks for (decision 209);
* it is protected by this install's rules, not the document's: which figures count
  persons is what this install's definitions say (a document that disagrees is
  refused), no published count of persons in 1..k−1, k at least the network's, and
  the audit by linear programming replayed on every imported version of the release
  (``audit_published``) finds every hidden cell at least k wide;
* its period overlaps none the pole already has (a year is published whole or as its
  two halves, as for the install's own poles).

Every refusal is a coded error and nothing is written.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.secrets import decrypt, encrypt, new_token
from core.contributions import IndicatorSpec
from core.errors import ConflictError, NotFoundError, ValidationError
from core.network.catalogue import entries_from_json
from core.network.models import (
    Network,
    NetworkCatalogue,
    NetworkPole,
    NetworkRelease,
    NetworkReleaseCell,
    NetworkSigningKey,
    NetworkTrustedKey,
)
from core.network.periods import parse_period
from core.network.protection import CellKey, Equation, PublishedRelease, audit_published
from core.network.releases import UNKNOWN_CODE, check_no_overlap, coords_pairs, the_network
from core.tenancy.models import PlatformAuditEvent

FORMAT = "maillage.network-release/1"
MAX_CELLS = 5000


def canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --- the install's key ----------------------------------------------------------------


async def signing_key(
    session: AsyncSession, secret_key: str, *, now: dt.datetime
) -> tuple[NetworkSigningKey, Ed25519PrivateKey]:
    """The install's key (made on first use; the caller commits)."""
    row = (
        await session.execute(
            select(NetworkSigningKey).order_by(NetworkSigningKey.created_at.desc()).limit(1)
        )
    ).scalar()
    if row is None:
        private = Ed25519PrivateKey.generate()
        kid = f"reseau-{now:%Y%m%d}-{new_token()[:10]}"
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        row = NetworkSigningKey(
            kid=kid,
            public_key=b64(public_bytes(private.public_key())),
            private_key=encrypt(secret_key, raw, kid),
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return row, private
    return row, Ed25519PrivateKey.from_private_bytes(decrypt(secret_key, row.private_key, row.kid))


def sign(document: Mapping[str, Any], kid: str, private: Ed25519PrivateKey) -> dict[str, Any]:
    return {
        "document": dict(document),
        "kid": kid,
        "signature": b64(private.sign(canonical(document))),
    }


# --- export ---------------------------------------------------------------------------


async def release_document(
    session: AsyncSession, release_id: uuid.UUID, figures: Mapping[str, IndicatorSpec]
) -> dict[str, Any]:
    """The document of a published release of this install."""
    release = await session.get(NetworkRelease, release_id)
    if release is None:
        raise NotFoundError("publication introuvable", field="id")
    if release.status != "published":
        raise ConflictError("seule une publication approuvée s'exporte", field="id")
    if release.document_id is not None:
        raise ConflictError(
            "publication importée : elle s'exporte depuis son installation", field="id"
        )
    pole = await session.get(NetworkPole, release.pole_id)
    assert pole is not None
    cells = list(
        (
            await session.execute(
                select(NetworkReleaseCell)
                .where(NetworkReleaseCell.release_id == release.id)
                .order_by(NetworkReleaseCell.figure, NetworkReleaseCell.coords)
            )
        ).scalars()
    )
    used = sorted({c.figure for c in cells})
    return {
        "format": FORMAT,
        "id": str(release.id),
        "pole": {"code": pole.code, "name": pole.name, "departement": pole.departement_code},
        "period": release.period,
        "version": release.version,
        "k": release.k,
        "catalogueVersion": release.catalogue_version,
        "reason": release.reason,
        "population": release.population,
        "populationSource": release.population_source,
        "approvedAt": release.approved_at.isoformat() if release.approved_at else None,
        "protection": {
            "cells": release.cells_total,
            "primary": release.cells_primary,
            "secondary": release.cells_secondary,
            "inherited": release.cells_inherited,
            # Infinite (no hidden cell has a bound) is no JSON number: null, as in the API.
            "smallestInterval": release.smallest_interval
            if release.smallest_interval is None or math.isfinite(release.smallest_interval)
            else None,
        },
        "figures": [
            {
                "code": code,
                "title": figures[code].title if code in figures else code,
                "persons": bool(figures[code].counts_persons) if code in figures else True,
            }
            for code in used
        ],
        "cells": [
            {
                "figure": c.figure,
                "coords": c.coords,
                "labels": c.labels or {},
                "value": c.value,
                "reason": c.reason,
            }
            for c in cells
        ],
    }


# --- import ---------------------------------------------------------------------------


async def export_release(
    session: AsyncSession,
    release_id: uuid.UUID,
    figures: Mapping[str, IndicatorSpec],
    secret_key: str,
    *,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The signed document of a published release of this install, the export traced
    (the caller commits: the install's key may have been made)."""
    document = await release_document(session, release_id, figures)
    row, private = await signing_key(session, secret_key, now=now)
    session.add(
        PlatformAuditEvent(
            kind="network.release.export",
            actor=actor,
            reason=f"publication {document['pole']['code']} {document['period']} "
            f"v{document['version']} exportée (clé {row.kid})",
        )
    )
    await session.flush()
    return sign(document, row.kid, private)


def public_keys(rows: Iterable[NetworkSigningKey]) -> dict[str, Any]:
    """The install's public keys as a JWK Set (RFC 7517; Ed25519 as an OKP key, RFC
    8037), each also in plain base64 as ``maillage network trust --public-key`` takes it."""
    keys = []
    for row in rows:
        raw = base64.b64decode(row.public_key)
        keys.append(
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
                "kid": row.kid,
                "use": "sig",
                "alg": "EdDSA",
                "publicKey": row.public_key,
                "created": row.created_at.isoformat(),
            }
        )
    return {"format": "maillage.network-keys/1", "keys": keys}


async def install_public_keys(session: AsyncSession) -> dict[str, Any]:
    rows = (
        await session.execute(select(NetworkSigningKey).order_by(NetworkSigningKey.created_at))
    ).scalars()
    return public_keys(rows)


MAX_DOCUMENT_CHARS = 1_000_000


def parse_envelope(content: str, *, field: str = "document") -> dict[str, Any]:
    """A signed document as text (an upload, a GraphQL argument): JSON of an object, of
    reasonable size, else VALIDATION on ``field``."""
    if len(content) > MAX_DOCUMENT_CHARS:
        raise _bad(f"document trop grand ({MAX_DOCUMENT_CHARS} caractères au plus)", field)
    try:
        envelope = json.loads(content)
    except ValueError as exc:
        raise _bad(f"JSON illisible ({exc})", field) from None
    if not isinstance(envelope, dict):
        raise _bad("document signé attendu : {document, kid, signature}", field)
    return envelope


def equations_of(keys: Iterable[CellKey]) -> tuple[Equation, ...]:
    """The additive equations the cells of a release imply (the engine's own, rebuilt
    from the cells' places rather than taken from the document, so a document cannot
    leave one out): every one-way set of cells adds up to the figure's total, and each
    row and column of a two-way set to its margin."""
    keys = set(keys)
    equations: list[Equation] = []
    by_shape: dict[tuple[str, tuple[str, ...]], list[CellKey]] = {}
    for key in keys:
        if key.coords:
            by_shape.setdefault((key.figure, tuple(d for d, _ in key.coords)), []).append(key)
    for (figure, dims), cells in sorted(by_shape.items()):
        total = CellKey(figure)
        if len(dims) == 1:
            equations.append(Equation(total, tuple(sorted(cells))))
            continue
        for axis, dim in enumerate(dims):
            margins = []
            for category in sorted({c.coords[axis][1] for c in cells}):
                margin = CellKey(figure, ((dim, category),))
                parts = tuple(sorted(c for c in cells if c.coords[axis][1] == category))
                equations.append(Equation(margin, parts))
                margins.append(margin)
            equations.append(Equation(total, tuple(margins)))
    return tuple(dict.fromkeys(equations))


def _bad(message: str, field: str = "document") -> ValidationError:
    return ValidationError(message, field=field)


def _cells(document: Mapping[str, Any]) -> dict[CellKey, int | None]:
    raw = document.get("cells")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CELLS:
        raise _bad(f"cases attendues (1 à {MAX_CELLS})", "document.cells")
    cells: dict[CellKey, int | None] = {}
    for cell in raw:
        try:
            key = CellKey(str(cell["figure"]), tuple(sorted(coords_pairs(str(cell["coords"])))))
            value = cell["value"]
        except (KeyError, TypeError, ValueError):
            raise _bad("case mal formée", "document.cells") from None
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise _bad(f"{key.label()} : comptage entier attendu", "document.cells")
        if key in cells or len(key.coords) > 2:
            raise _bad(
                f"{key.label()} : case en double ou à plus de deux dimensions", "document.cells"
            )
        cells[key] = value
    return cells


async def _collected(session: AsyncSession, network: Network) -> dict[str, set[frozenset[str]]]:
    """Each figure the network collects and the tables it asks for, over every version
    of its catalogue (a release of an earlier year was made with an earlier one)."""
    wanted: dict[str, set[frozenset[str]]] = {}
    rows = await session.execute(
        select(NetworkCatalogue.entries).where(NetworkCatalogue.network_id == network.id)
    )
    for entries in rows.scalars():
        for entry in entries_from_json(entries):
            for dims in entry.tables or ((),):
                wanted.setdefault(entry.figure, set()).add(frozenset(dims))
    return wanted


def _check_collected(
    cells: Mapping[CellKey, int | None],
    wanted: Mapping[str, set[frozenset[str]]],
    figures: Mapping[str, IndicatorSpec],
) -> None:
    """Every cell is one the network collects (decision 209): its figure is in the
    catalogue and defined on this install, its dimensions coarse, single-valued, of a
    table the catalogue asks for (a margin of it included), and its categories of the
    dimension's vocabulary when it has a fixed one. Otherwise VALIDATION naming the cell."""
    field = "document.cells"
    for key in sorted(cells):
        spec = figures.get(key.figure)
        if key.figure not in wanted or spec is None:
            raise _bad(f"{key.label()} : chiffre hors du catalogue du réseau", field)
        dims = frozenset(d for d, _ in key.coords)
        for code, category in key.coords:
            dimension = spec.dimension(code)
            if dimension is None or not dimension.coarse or dimension.multiple:
                raise _bad(
                    f"{key.label()} : « {code} » n'est pas une dimension que le réseau "
                    "recueille (rien en dessous du département ne sort d'un pôle)",
                    field,
                )
            labels = dimension.labels
            if isinstance(labels, Mapping) and category not in labels and category != UNKNOWN_CODE:
                raise _bad(f"{key.label()} : catégorie inconnue « {category} »", field)
        if not any(dims <= table for table in wanted[key.figure]):
            raise _bad(f"{key.label()} : tableau que le catalogue du réseau ne demande pas", field)


def _persons(document: Mapping[str, Any], figures: Mapping[str, IndicatorSpec]) -> dict[str, bool]:
    """Which figures count persons: this install's definitions say (decision 210). A
    document that says otherwise was made by rules the network does not apply:
    VALIDATION naming the figure."""
    raw = document.get("figures")
    if not isinstance(raw, list):
        raise _bad("liste des chiffres attendue", "document.figures")
    for figure in raw:
        if not isinstance(figure, dict):
            raise _bad("chiffre mal formé", "document.figures")
        code = str(figure.get("code"))
        spec = figures.get(code)
        if spec is not None and figure.get("persons") is not spec.counts_persons:
            raise _bad(
                f"{code} : le document ne le compte pas comme le réseau (comptage de "
                f"personnes : {'oui' if spec.counts_persons else 'non'} ici)",
                "document.figures",
            )
    return {code: spec.counts_persons for code, spec in figures.items()}


async def _trusted(
    session: AsyncSession, envelope: Mapping[str, Any]
) -> tuple[NetworkTrustedKey, dict[str, Any]]:
    document = envelope.get("document")
    kid = envelope.get("kid")
    signature = envelope.get("signature")
    if not isinstance(document, dict) or not isinstance(kid, str) or not isinstance(signature, str):
        raise _bad("document signé attendu : {document, kid, signature}")
    key = await session.get(NetworkTrustedKey, kid)
    if key is None:
        raise _bad(f"clé de signature inconnue : {kid}", "kid")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(base64.b64decode(signature, validate=True), canonical(document))
    except (InvalidSignature, binascii.Error, ValueError):
        raise _bad(
            "signature invalide : le document a été altéré ou signé par une autre clé", "signature"
        ) from None
    if document.get("format") != FORMAT:
        raise _bad(f"format attendu : {FORMAT}", "document.format")
    return key, document


async def import_release(
    session: AsyncSession,
    envelope: Mapping[str, Any],
    figures: Mapping[str, IndicatorSpec],
    *,
    actor: str,
    now: dt.datetime,
) -> tuple[NetworkRelease, bool]:
    """Verify and import a signed release, checked against this install's figure
    definitions (``figures``); (the release, whether it was new)."""
    key, document = await _trusted(session, envelope)
    network: Network = await the_network(session)
    pole = await session.get(NetworkPole, key.pole_id)
    assert pole is not None
    if (document.get("pole") or {}).get("code") != pole.code:
        raise _bad(f"cette clé ne signe que pour le pôle {pole.code}", "kid")
    digest = hashlib.sha256(canonical(document)).hexdigest()
    document_id = str(document.get("id", ""))
    same = (
        await session.execute(
            select(NetworkRelease).where(NetworkRelease.document_id == document_id)
        )
    ).scalar()
    if same is not None:
        if same.document_digest == digest:
            return same, False
        raise ConflictError(
            "document rejoué : cet identifiant a déjà été importé avec un autre contenu",
            field="document.id",
        )
    period = parse_period(str(document.get("period", "")), "document.period")
    version, k = document.get("version"), document.get("k")
    if not isinstance(version, int) or not isinstance(k, int) or version < 1:
        raise _bad("version et seuil entiers attendus", "document.version")
    if k < network.k:
        raise ConflictError(
            f"seuil {k} inférieur à celui du réseau ({network.k})", field="document.k"
        )
    earlier = list(
        (
            await session.execute(
                select(NetworkRelease)
                .where(NetworkRelease.pole_id == pole.id, NetworkRelease.period == period.code)
                .order_by(NetworkRelease.version)
            )
        ).scalars()
    )
    await check_no_overlap(session, pole, period)
    if earlier and version <= earlier[-1].version:
        raise ConflictError(
            f"document rejoué : la version {version} de {period.code} est déjà importée",
            field="document.version",
        )
    if version != len(earlier) + 1:
        raise ConflictError(
            f"version {len(earlier) + 1} attendue avant la {version}", field="document.version"
        )
    cells = _cells(document)
    _check_collected(cells, await _collected(session, network), figures)
    persons = _persons(document, figures)
    small = [
        key.label()
        for key, value in sorted(cells.items())
        if persons[key.figure] and value is not None and 1 <= value < network.k
    ]
    if small:
        raise ConflictError(
            f"comptage de personnes publié sous le seuil : {', '.join(small[:5])}",
            field="document.cells",
        )
    history = []
    for release in earlier:
        rows = (
            await session.execute(
                select(NetworkReleaseCell).where(NetworkReleaseCell.release_id == release.id)
            )
        ).scalars()
        known = {CellKey(r.figure, coords_pairs(r.coords)): r.value for r in rows}
        history.append(PublishedRelease(release.version, release.k, equations_of(known), known))
    history.append(PublishedRelease(version, k, equations_of(cells), cells))
    report = audit_published(history, network.k)
    report.check()
    protection = document.get("protection") or {}
    release = NetworkRelease(
        pole_id=pole.id,
        period=period.code,
        year=period.year,
        version=version,
        # Published once its cells are in (the lock refuses cells of a published one).
        status="submitted",
        k=k,
        catalogue_version=int(document.get("catalogueVersion") or 0),
        reason=str(document.get("reason") or "")[:2000],
        population=int(document.get("population") or 0),
        population_source=str(document.get("populationSource") or "")[:200],
        cells_total=len(cells),
        cells_primary=int(protection.get("primary") or 0),
        cells_secondary=int(protection.get("secondary") or 0),
        cells_inherited=int(protection.get("inherited") or 0),
        smallest_interval=report.smallest_interval,
        prepared_at=now,
        approved_by=actor,
        approved_at=now,
        document_id=document_id,
        document_digest=digest,
    )
    session.add(release)
    await session.flush()
    given = {(str(c["figure"]), str(c["coords"])): c for c in document["cells"]}
    for place, value in sorted(cells.items()):
        coords = "|".join(f"{d}={c}" for d, c in place.coords)
        raw = given.get((place.figure, coords), {})
        labels = raw.get("labels") if isinstance(raw.get("labels"), dict) else {}
        session.add(
            NetworkReleaseCell(
                release_id=release.id,
                figure=place.figure,
                coords=coords,
                labels={str(a): str(b)[:200] for a, b in labels.items()},
                value=value,
                reason=None
                if value is not None
                else str(raw.get("reason") or "secret statistique")[:300],
            )
        )
    await session.flush()
    release.status = "published"
    session.add(
        PlatformAuditEvent(
            kind="network.release.import",
            actor=actor,
            reason=f"publication {pole.code} {period.code} v{version} importée "
            f"(clé {key.kid}, {digest[:16]})",
        )
    )
    await session.flush()
    return release, True


async def trust_key(
    session: AsyncSession,
    pole: NetworkPole,
    kid: str,
    public_key: str,
    *,
    actor: str,
    now: dt.datetime,
) -> NetworkTrustedKey:
    try:
        raw = base64.b64decode(public_key, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise _bad("clé publique Ed25519 attendue (32 octets en base64)", "public_key") from None
    row = await session.get(NetworkTrustedKey, kid)
    if row is not None and row.pole_id != pole.id:
        raise ConflictError(f"la clé {kid} est déjà celle d'un autre pôle", field="kid")
    if row is None:
        row = NetworkTrustedKey(
            kid=kid, pole_id=pole.id, public_key=public_key, added_by=actor, added_at=now
        )
        session.add(row)
    session.add(
        PlatformAuditEvent(
            kind="network.trust", actor=actor, reason=f"clé {kid} du pôle {pole.code}"
        )
    )
    await session.flush()
    return row
