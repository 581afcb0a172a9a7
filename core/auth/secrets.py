"""Random secrets and how they are stored: never in clear.

Tokens and client secrets are 256-bit random values: a SHA-256 digest is enough to
store them (nothing to brute-force), and lookups by digest stay constant-time
friendly. Signing keys are encrypted with a key derived from MAILLAGE_SECRET_KEY.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def new_token(prefix: str = "") -> str:
    """A URL-safe random token (256 bits), optionally prefixed to say what it is."""
    return prefix + secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@functools.lru_cache(maxsize=64)
def _derived_key(secret_key: str, purpose: bytes) -> bytes:
    # The same key for the same secret and purpose: derived once per process, not on
    # every request's log line and CSRF check (decision 217).
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


def hmac_token(secret_key: str, purpose: str, value: str) -> str:
    """A keyed digest (CSRF tokens are bound to their session this way)."""
    key = _derived_key(secret_key, b"maillage-hmac-" + purpose.encode())
    # Unpadded: "=" would make the cookie value quoted.
    digest_ = hmac.new(key, value.encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest_).decode().rstrip("=")


def encrypt(secret_key: str, plaintext: bytes, context: str) -> str:
    """AES-256-GCM, the context (a key id) bound as associated data."""
    nonce = os.urandom(12)
    sealed = AESGCM(_derived_key(secret_key, b"maillage-keys")).encrypt(
        nonce, plaintext, context.encode()
    )
    return base64.b64encode(nonce + sealed).decode()


def decrypt(secret_key: str, ciphertext: str, context: str) -> bytes:
    raw = base64.b64decode(ciphertext)
    return AESGCM(_derived_key(secret_key, b"maillage-keys")).decrypt(
        raw[:12], raw[12:], context.encode()
    )


def seal(secret_key: str, plaintext: bytes, context: str) -> bytes:
    """Files kept in the database (a plugin's documents): AES-256-GCM under a key of
    their own derived from MAILLAGE_SECRET_KEY, ``context`` (the row's identity) bound as
    associated data, so a sealed file copied onto another row does not open."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_derived_key(secret_key, b"maillage-files")).encrypt(
        nonce, plaintext, context.encode()
    )


def unseal(secret_key: str, sealed: bytes, context: str) -> bytes:
    return AESGCM(_derived_key(secret_key, b"maillage-files")).decrypt(
        sealed[:12], sealed[12:], context.encode()
    )
