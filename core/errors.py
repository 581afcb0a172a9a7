"""Errors as values with codes: the API, the CLI and the tests compare codes, never strings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION = "VALIDATION"
    CONFLICT = "CONFLICT"
    PLUGIN_DISABLED = "PLUGIN_DISABLED"
    RATE_LIMITED = "RATE_LIMITED"
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL = "INTERNAL"


class MaillageError(Exception):
    """Base of every error the platform reports to a person or a client.

    ``field`` names the input at fault (a GraphQL argument path, a TOML key, a
    setting name); ``message`` is French, for the person who reads it.
    """

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message}"


@dataclass(frozen=True)
class DataWarning:
    """Accepted, but worth a look: the write is kept and the payload says why
    (``code`` such as OUTSIDE_TERRITORY, the ``field`` concerned, a French message)."""

    code: str
    field: str | None
    message: str


class ValidationError(MaillageError):
    code = ErrorCode.VALIDATION


class NotFoundError(MaillageError):
    code = ErrorCode.NOT_FOUND


class ConflictError(MaillageError):
    code = ErrorCode.CONFLICT


class ForbiddenError(MaillageError):
    code = ErrorCode.FORBIDDEN


class UnauthenticatedError(MaillageError):
    code = ErrorCode.UNAUTHENTICATED


class ConfigurationError(MaillageError):
    """A setting or a file the operator wrote is wrong; startup or the command stops."""

    code = ErrorCode.VALIDATION


class RateLimitedError(MaillageError):
    """Too many attempts: ``retry_after`` seconds before the next one is considered."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = retry_after


class OperationFailed(MaillageError):
    """Something outside the input failed (database unreachable, mail relay refused):
    the command stops with status 1, not 2, since the input itself was fine."""

    code = ErrorCode.INTERNAL
