"""Signing keys: ES256 key pairs in ``signing_keys``, a JWKS, rotation.

The newest unretired key signs. ``rotate`` retires the current key (it stops
signing) and adds a new one; a retired key is still published and still verifies
until the last token it signed has expired (retired_at + access token lifetime +
leeway), then it leaves the JWKS. Processes reload the ring when they meet an
unknown ``kid`` (at most once a second) and every minute otherwise, so a rotation
made by the CLI reaches every app process without a restart.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc.jwk import ECKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.config import AuthConfig, Clock, as_utc, utcnow
from core.auth.models import SigningKey
from core.auth.secrets import decrypt, encrypt, new_token
from core.errors import ConfigurationError

ALGORITHM = "ES256"
_RELOAD_SECONDS = 60.0
_MISS_RELOAD_SECONDS = 1.0


def _kid(now: dt.datetime) -> str:
    return f"{now:%Y%m%d}-{new_token()[:10]}"


async def create_key(
    session: AsyncSession, config: AuthConfig, *, now: dt.datetime | None = None
) -> SigningKey:
    """Generate a key pair and store it (the caller commits)."""
    now = now or utcnow()
    kid = _kid(now)
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    row = SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk=key.as_dict(private=False),
        private_key=encrypt(config.secret_key, key.as_pem(private=True), kid),
        created_at=now,
    )
    session.add(row)
    return row


async def rotate(
    session: AsyncSession, config: AuthConfig, *, now: dt.datetime | None = None
) -> tuple[SigningKey, list[str]]:
    """Retire the signing key(s) and create a new one. Returns the new key and the
    kids retired now (the caller commits)."""
    now = now or utcnow()
    current = (
        (await session.execute(select(SigningKey).where(SigningKey.retired_at.is_(None))))
        .scalars()
        .all()
    )
    for row in current:
        row.retired_at = now
    new = await create_key(session, config, now=now)
    return new, [row.kid for row in current]


async def ensure_key(session: AsyncSession, config: AuthConfig) -> SigningKey | None:
    """Create the first key of an install (``db upgrade``, ``demo setup``); None if
    one exists already."""
    exists = (await session.execute(select(SigningKey.kid).limit(1))).first()
    return None if exists else await create_key(session, config)


@dataclass
class KeyRing:
    """The keys as one process sees them, reloaded from the database when stale."""

    config: AuthConfig
    clock: Clock = utcnow
    _signing: tuple[str, ECKey] | None = None
    _verifying: dict[str, ECKey] = field(default_factory=dict)
    _published: list[dict[str, Any]] = field(default_factory=list)
    _loaded_at: float = 0.0

    def _expired_after(self, retired_at: dt.datetime) -> dt.datetime:
        return retired_at + self.config.access_ttl + dt.timedelta(seconds=self.config.leeway)

    async def load(self, session: AsyncSession) -> None:
        rows = (await session.execute(select(SigningKey).order_by(SigningKey.created_at))).scalars()
        now = self.clock()
        signing: tuple[str, ECKey] | None = None
        verifying: dict[str, ECKey] = {}
        published: list[dict[str, Any]] = []
        for row in rows:
            if row.retired_at is not None and self._expired_after(as_utc(row.retired_at)) < now:
                continue
            if row.retired_at is None:
                try:
                    pem = decrypt(self.config.secret_key, row.private_key, row.kid)
                except Exception:
                    raise ConfigurationError(
                        f"la clé de signature {row.kid} ne se déchiffre pas avec "
                        "MAILLAGE_SECRET_KEY (clé secrète changée ?) : lancez "
                        "`maillage keys rotate`",
                        field="MAILLAGE_SECRET_KEY",
                    ) from None
                signing = (row.kid, ECKey.import_key(pem))
            verifying[row.kid] = ECKey.import_key(row.public_jwk)
            published.append(dict(row.public_jwk))
        self._signing, self._verifying, self._published = signing, verifying, published
        self._loaded_at = time.monotonic()

    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at > _RELOAD_SECONDS

    def may_reload_for_unknown_kid(self) -> bool:
        return time.monotonic() - self._loaded_at > _MISS_RELOAD_SECONDS

    def signing_key(self) -> tuple[str, ECKey]:
        if self._signing is None:
            raise ConfigurationError(
                "aucune clé de signature : lancez `maillage keys rotate` "
                "(ou `maillage db upgrade`, qui crée la première)",
                field="signing_keys",
            )
        return self._signing

    def verifying_key(self, kid: str) -> ECKey | None:
        return self._verifying.get(kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": self._published}
