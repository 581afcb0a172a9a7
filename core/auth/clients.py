"""Machine clients: OAuth 2 client credentials for integrators and the national network.

A client is bound to one pole (scopes ``tenant:read`` / ``tenant:write``) or to the
network (``network:read``, no pole). It authenticates with a secret
(client_secret_basic or client_secret_post; shown once, stored as a digest) or with
a signed assertion (private_key_jwt, RFC 7523: ``iss`` = ``sub`` = client id, ``aud``
= our token endpoint, short ``exp``, single-use ``jti``). It gets an access token
only: no refresh token, it asks again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Actor
from core.auth import sessions, throttle, tokens
from core.auth.config import as_utc
from core.auth.models import ApiClient, UsedAssertion
from core.auth.secrets import digest, new_token, same
from core.auth.security import security_event
from core.auth.service import AuthService
from core.errors import UnauthenticatedError, ValidationError

TENANT_SCOPES = frozenset({"tenant:read", "tenant:write"})
NETWORK_SCOPES = frozenset({"network:read"})
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_ASSERTION_ALGS = ["ES256", "RS256", "PS256", "EdDSA"]
_MAX_ASSERTION_LIFETIME = 300


class InvalidClient(UnauthenticatedError):
    """RFC 6749 ``invalid_client``; the message stays generic."""


@dataclass(frozen=True)
class CreatedClient:
    client: ApiClient
    secret: str | None  # shown once, never stored in clear


def check_scopes(scopes: Sequence[str], *, network: bool) -> list[str]:
    allowed = NETWORK_SCOPES if network else TENANT_SCOPES
    chosen = sorted(set(scopes))
    wrong = [s for s in chosen if s not in allowed]
    if wrong or not chosen:
        raise ValidationError(
            f"portées possibles : {', '.join(sorted(allowed))}"
            + (f" (refusé : {', '.join(wrong)})" if wrong else ""),
            field="scopes",
        )
    return chosen


def _check_jwks(jwks: Any) -> dict[str, Any]:
    try:
        keys = KeySet.import_key_set(jwks)
    except Exception:
        raise ValidationError("JWKS illisible", field="publicJwks") from None
    if not keys.keys or any(getattr(k, "is_private", False) for k in keys.keys):
        raise ValidationError(
            "donnez une ou plusieurs clés publiques (jamais la clé privée)", field="publicJwks"
        )
    return {"keys": [k.as_dict(private=False) for k in keys.keys]}


async def create(
    auth: AuthService,
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    scopes: Sequence[str],
    tenant_id: uuid.UUID | None,
    auth_method: str = "client_secret_basic",
    public_jwks: Any = None,
) -> CreatedClient:
    """Register a client (the caller commits). Pole clients need ``clients.manage``
    in that pole; network clients are made by the operator (``maillage clients``)."""
    auth.actions.require(actor, "clients.manage" if tenant_id else "network.clients.manage")
    if not name.strip():
        raise ValidationError("nom requis", field="name")
    if auth_method not in AUTH_METHODS:
        raise ValidationError(f"méthode attendue : {', '.join(AUTH_METHODS)}", field="authMethod")
    chosen = check_scopes(scopes, network=tenant_id is None)
    secret = None
    client = ApiClient(
        client_id="mc_" + new_token()[:24],
        name=name.strip(),
        pole_id=tenant_id,
        scopes=chosen,
        auth_method=auth_method,
        created_by=actor.subject,
    )
    if auth_method == "private_key_jwt":
        client.public_jwks = _check_jwks(public_jwks)
    else:
        if public_jwks is not None:
            raise ValidationError(
                "clés publiques : seulement pour private_key_jwt", field="publicJwks"
            )
        secret = new_token("mcs_")
        client.secret_hash = digest(secret)
    session.add(client)
    security_event(
        session,
        "client_created",
        client_id=client.client_id,
        tenant_id=tenant_id,
        detail=f"{auth_method} {' '.join(chosen)} by {actor.subject}",
    )
    return CreatedClient(client, secret)


async def revoke(
    auth: AuthService, session: AsyncSession, actor: Actor, client: ApiClient
) -> ApiClient:
    # The operator may revoke any client (incident response); a pole admin, its pole's.
    if not auth.actions.allowed(actor, "network.clients.manage"):
        auth.actions.require(actor, "clients.manage")
    if client.revoked_at is None:
        client.revoked_at = auth.now()
        security_event(
            session,
            "client_revoked",
            client_id=client.client_id,
            tenant_id=client.pole_id,
            detail=actor.subject,
        )
    return client


async def _verify_assertion(
    auth: AuthService, session: AsyncSession, client: ApiClient, assertion: str
) -> None:
    try:
        header = tokens.unverified_header(assertion)
        if header.get("alg") not in _ASSERTION_ALGS or {"jku", "jwk", "x5u"} & set(header):
            raise InvalidClient("assertion refusée")
        keys = KeySet.import_key_set(client.public_jwks or {"keys": []})
        claims = jwt.decode(assertion, keys, algorithms=_ASSERTION_ALGS).claims
    except (JoseError, ValueError, tokens.InvalidToken):
        raise InvalidClient("assertion refusée") from None
    now = int(auth.now().timestamp())
    exp = claims.get("exp")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if (
        claims.get("iss") != client.client_id
        or claims.get("sub") != client.client_id
        or auth.config.token_endpoint not in audiences
        or not isinstance(exp, int | float)
        or exp <= now - auth.config.leeway
        or exp - now > _MAX_ASSERTION_LIFETIME
        or not isinstance(claims.get("jti"), str)
        or not claims["jti"].strip()
    ):
        raise InvalidClient("assertion refusée")
    jti = f"{client.client_id}:{claims['jti']}"[:200]
    if await session.get(UsedAssertion, jti) is not None:
        raise InvalidClient("assertion déjà utilisée")
    session.add(UsedAssertion(jti=jti, expires_at=dt.datetime.fromtimestamp(exp, dt.UTC)))


async def client_credentials(
    auth: AuthService,
    *,
    client_id: str,
    secret: str | None,
    assertion: str | None,
    scope: str | None,
    client_address: str | None,
) -> sessions.TokenPair:
    """The token endpoint's client_credentials grant. Throttled per client and
    address; every outcome in the security log."""
    now, policy = auth.now(), auth.config.throttle
    keys = [f"client:{client_id}"[:300], throttle.address_key(client_address)]
    async with auth.db.reference_session() as session:
        # Counted before the secret or assertion is checked (see core.auth.throttle).
        await throttle.reserve(session, keys, policy, now)
        client = (
            await session.execute(select(ApiClient).where(ApiClient.client_id == client_id))
        ).scalar()
        try:
            if client is None or client.revoked_at is not None:
                raise InvalidClient("client inconnu ou révoqué")
            if client.auth_method == "private_key_jwt":
                if not assertion:
                    raise InvalidClient("assertion attendue (private_key_jwt)")
                await _verify_assertion(auth, session, client, assertion)
            elif (
                not secret or not client.secret_hash or not same(digest(secret), client.secret_hash)
            ):
                raise InvalidClient("secret incorrect")
            requested = frozenset((scope or "").split()) or frozenset(client.scopes)
            if not requested <= frozenset(client.scopes):
                raise ValidationError("portée non accordée à ce client", field="scope")
        except (InvalidClient, ValidationError):
            security_event(
                session, "client_failed", client_id=client_id[:64], client_address=client_address
            )
            await session.commit()
            raise
        for key in keys:
            await throttle.release(session, key)
        row, _ = await sessions.open_session(
            auth,
            session,
            client_id=client.id,
            kind="client",
            method=client.auth_method,
            tenant_id=client.pole_id,
            client_address=client_address,
        )
        client.last_used_at = now
        ring = await auth.keys()
        access, lifetime = tokens.issue(
            ring,
            auth.config,
            subject=tokens.CLIENT_PREFIX + client.client_id,
            session_id=row.id,
            client_id=client.client_id,
            scopes=requested,
            now=now,
        )
        security_event(
            session,
            "client_token",
            client_id=client.client_id,
            tenant_id=client.pole_id,
            client_address=client_address,
        )
        try:
            await session.commit()
        except IntegrityError:
            # The same assertion presented twice at the same moment: one wins.
            raise InvalidClient("assertion déjà utilisée") from None
    return sessions.TokenPair(access, lifetime, None)


def is_live(client: ApiClient | None, now: dt.datetime) -> bool:
    return client is not None and (client.revoked_at is None or as_utc(client.revoked_at) > now)
