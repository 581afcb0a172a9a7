"""Passwords: Argon2id hashes (argon2-cffi, RFC 9106 parameters) and the policy.

The hash of an unknown account is still computed on login (``burn``) so the answer
time does not tell which addresses have an account.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from core.errors import ValidationError

# 64 MiB, 3 passes: the RFC's recommendation where memory is counted.
_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


@functools.cache
def _dummy() -> str:
    return _hasher.hash("maillage: no such account")


MIN_LENGTH = 12
MAX_LENGTH = 256
# The few passwords people type first; the length rule does most of the work.
_COMMON = frozenset(
    {
        "motdepasse123",
        "motdepasse1234",
        "azertyuiop123",
        "123456789012",
        "password1234",
        "maillage2026",
        "bonjour12345",
        "soleil123456",
    }
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(stored_hash or _dummy(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_policy(password: str, *, email: str = "", field: str = "password") -> None:
    """Raise VALIDATION naming ``field`` when the password is too weak."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            f"le mot de passe doit compter au moins {MIN_LENGTH} caractères", field=field
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError(
            f"le mot de passe doit compter au plus {MAX_LENGTH} caractères", field=field
        )
    lowered = password.lower()
    if lowered in _COMMON or (email and email.split("@")[0].lower() in lowered):
        raise ValidationError(
            "ce mot de passe est trop facile à deviner (évitez votre adresse et les "
            "mots de passe courants)",
            field=field,
        )
