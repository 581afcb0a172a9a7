"""Access tokens: short-lived JWTs (RFC 9068 ``at+jwt``) signed ES256.

Verification is explicit, in this order, and every failure is the same
``InvalidToken`` (UNAUTHENTICATED to the caller, the reason in the security log):

1. the header: ``alg`` exactly ES256 (never ``none``, never HS*: a public key used as
   an HMAC secret is refused before any key is looked at), ``typ`` at+jwt (an ID
   token is not an access token), a known ``kid``, and no ``jku`` / ``jwk`` /
   ``x5u`` / ``x5c`` / ``crit`` (keys come from our ring, never from the token);
2. the signature, with that one key;
3. the claims: ``iss`` and ``aud`` equal ours, ``exp`` / ``nbf`` / ``iat`` numbers
   checked against the clock with a small leeway, ``sub`` / ``sid`` / ``jti`` /
   ``client_id`` present and well-formed.

The token says who; it never says which pole or which roles: those are read from
the database on each request.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from core.auth.config import AuthConfig, Clock, utcnow
from core.auth.keys import ALGORITHM, KeyRing
from core.auth.secrets import new_token

ACCESS_TOKEN_TYPE = "at+jwt"
_FORBIDDEN_HEADERS = frozenset({"jku", "jwk", "x5u", "x5c", "crit"})
USER_PREFIX = "user:"
CLIENT_PREFIX = "client:"
FIRST_PARTY_CLIENT = "maillage"


class InvalidToken(Exception):
    """The token is refused; ``reason`` is for the logs, never for the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    subject: str  # user:<uuid> | client:<client_id>
    session_id: uuid.UUID
    client_id: str
    scopes: frozenset[str]
    jti: str
    expires_at: dt.datetime

    @property
    def user_id(self) -> uuid.UUID | None:
        if self.subject.startswith(USER_PREFIX):
            return uuid.UUID(self.subject.removeprefix(USER_PREFIX))
        return None

    @property
    def api_client_id(self) -> str | None:
        if self.subject.startswith(CLIENT_PREFIX):
            return self.subject.removeprefix(CLIENT_PREFIX)
        return None


def issue(
    ring: KeyRing,
    config: AuthConfig,
    *,
    subject: str,
    session_id: uuid.UUID,
    client_id: str = FIRST_PARTY_CLIENT,
    scopes: frozenset[str] = frozenset(),
    now: dt.datetime | None = None,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    now = now or ring.clock()
    kid, key = ring.signing_key()
    lifetime = int(config.access_ttl.total_seconds())
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": config.issuer,
        "aud": config.audience,
        "sub": subject,
        "client_id": client_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "jti": new_token()[:22],
        "sid": str(session_id),
    }
    if scopes:
        claims["scope"] = " ".join(sorted(scopes))
    header = {"alg": ALGORITHM, "typ": ACCESS_TOKEN_TYPE, "kid": kid}
    return jwt.encode(header, claims, key, algorithms=[ALGORITHM]), lifetime


def unverified_header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a compact JWS")
    try:
        padded = parts[0] + "=" * (-len(parts[0]) % 4)
        header = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("unreadable header") from None
    if not isinstance(header, dict):
        raise InvalidToken("header is not an object")
    return header


def _number(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"claim {name} missing or not a number")
    return int(value)


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidToken(f"claim {name} missing")
    return value


# Tokens whose signature was checked, with the key that checked it: the signature is
# the one costly step (about 0.7 ms of ECDSA per request) and a client sends the same
# token for minutes. Only the signature's outcome is kept; the header, the key's place
# in the ring and every claim are checked again on each request (docs/decisions.md, 118).
_SIGNED: OrderedDict[str, tuple[Any, dict[str, Any]]] = OrderedDict()
SIGNED_CACHE_SIZE = 4096


def _signed_claims(token: str, key: Any) -> dict[str, Any]:
    """The claims of ``token`` once its signature holds under ``key`` (that very key
    object: a key replaced in the ring checks again)."""
    hit = _SIGNED.get(token)
    if hit is not None and hit[0] is key:
        _SIGNED.move_to_end(token)
        return hit[1]
    try:
        claims = dict(jwt.decode(token, key, algorithms=[ALGORITHM]).claims)
    except (JoseError, ValueError) as exc:
        raise InvalidToken(f"signature: {type(exc).__name__}") from None
    _SIGNED[token] = (key, claims)
    if len(_SIGNED) > SIGNED_CACHE_SIZE:
        _SIGNED.popitem(last=False)
    return claims


async def verify(
    token: str, ring: KeyRing, config: AuthConfig, *, reload: Any = None, clock: Clock = utcnow
) -> AccessClaims:
    """Check a bearer token (see the module docstring). ``reload`` is an async
    callable that refreshes the ring when the ``kid`` is unknown (a rotation made by
    another process)."""
    header = unverified_header(token)
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} refused")
    typ = str(header.get("typ", "")).lower()
    if typ not in {ACCESS_TOKEN_TYPE, "application/" + ACCESS_TOKEN_TYPE}:
        raise InvalidToken(f"type {header.get('typ')!r} is not an access token")
    forbidden = sorted(_FORBIDDEN_HEADERS & set(header))
    if forbidden:
        raise InvalidToken(f"header parameter(s) {', '.join(forbidden)} refused")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise InvalidToken("no kid")
    key = ring.verifying_key(kid)
    if key is None and reload is not None and ring.may_reload_for_unknown_kid():
        await reload()
        key = ring.verifying_key(kid)
    if key is None:
        raise InvalidToken("unknown kid")
    claims = _signed_claims(token, key)
    now = int(clock().timestamp())
    if claims.get("iss") != config.issuer:
        raise InvalidToken("wrong issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.audience not in audiences:
        raise InvalidToken("wrong audience")
    exp, nbf, iat = _number(claims, "exp"), _number(claims, "nbf"), _number(claims, "iat")
    if exp <= now - config.leeway:
        raise InvalidToken("expired")
    if nbf > now + config.leeway:
        raise InvalidToken("not yet valid")
    if iat > now + config.leeway:
        raise InvalidToken("issued in the future")
    if exp - iat > int(config.access_ttl.total_seconds()) + config.leeway:
        raise InvalidToken("lifetime longer than ours")
    subject = _text(claims, "sub")
    if not subject.startswith((USER_PREFIX, CLIENT_PREFIX)):
        raise InvalidToken("unknown subject kind")
    try:
        session_id = uuid.UUID(_text(claims, "sid"))
        if subject.startswith(USER_PREFIX):
            uuid.UUID(subject.removeprefix(USER_PREFIX))
    except ValueError:
        raise InvalidToken("malformed sid or sub") from None
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise InvalidToken("scope is not a string")
    return AccessClaims(
        subject=subject,
        session_id=session_id,
        client_id=_text(claims, "client_id"),
        scopes=frozenset(scope.split()),
        jti=_text(claims, "jti"),
        expires_at=dt.datetime.fromtimestamp(exp, dt.UTC),
    )
