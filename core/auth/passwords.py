"""Passwords: Argon2id hashes (argon2-cffi, RFC 9106 parameters) and the policy.

The hash of an unknown account is still computed on login (``burn``) so the answer
time does not tell which addresses have an account.

The cost of a hash is the install's ``MAILLAGE_PASSWORD_PROFILE`` (decision 214):
``rfc9106`` (the default, 64 MiB and 3 passes: about 0.25 s of CPU per sign-in) or
``tests``, the same Argon2id with 1 MiB and one pass, for test suites that sign in
hundreds of times (production refuses it). A hash records its own parameters: it
verifies under either profile and is made again under the install's at the next
sign-in (``needs_rehash``).
"""

from __future__ import annotations

import dataclasses
import functools

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from core.errors import ValidationError

DEFAULT_PROFILE = "rfc9106"
TESTS_PROFILE = "tests"
PROFILES: dict[str, Parameters] = {
    # 64 MiB, 3 passes: the RFC's recommendation where memory is counted.
    DEFAULT_PROFILE: RFC_9106_LOW_MEMORY,
    # The same algorithm, salt and hash lengths, at the cost of a test run: 1 MiB, 1 pass.
    TESTS_PROFILE: dataclasses.replace(
        RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=1024, parallelism=1
    ),
}
_profile = DEFAULT_PROFILE
_hasher = PasswordHasher.from_parameters(PROFILES[_profile])


def use_profile(name: str) -> None:
    """Hash with the parameters of profile ``name`` (the install's setting) from now on."""
    global _hasher, _profile
    if name != _profile:
        _hasher = PasswordHasher.from_parameters(PROFILES[name])
        _profile = name
        _dummy.cache_clear()


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
