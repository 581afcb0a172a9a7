"""User errors in mutation payloads: ``errors { code field message }``.

A service raising a VALIDATION, CONFLICT or NOT_FOUND error is the user's to fix:
the transaction is rolled back whole and the payload lists the error. Anything
else (UNAUTHENTICATED, FORBIDDEN, a bug) stays a GraphQL error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import strawberry

from core.api.context import Context
from core.api.loaders import forget
from core.errors import DataWarning, ErrorCode, MaillageError

USER_ERROR_CODES = frozenset({ErrorCode.VALIDATION, ErrorCode.CONFLICT, ErrorCode.NOT_FOUND})


@strawberry.type(description="Erreur à corriger par l'utilisateur (champ en cause, message).")
class UserError:
    code: str
    field: str | None
    message: str


@strawberry.type(
    description="Avertissement : la saisie est enregistrée mais mérite un regard "
    "(code, champ en cause, message)."
)
class UserWarning:
    code: str
    field: str | None
    message: str


def user_warnings(found: Iterable[DataWarning | None]) -> list[UserWarning]:
    return [UserWarning(code=w.code, field=w.field, message=w.message) for w in found if w]


@asynccontextmanager
async def user_errors(ctx: Context) -> AsyncIterator[list[UserError]]:
    errors: list[UserError] = []
    # What this request loaded before the write may change: the payload reads afresh.
    forget(ctx)
    try:
        yield errors
    except MaillageError as exc:
        if exc.code not in USER_ERROR_CODES:
            raise
        async with ctx.db_session() as session:
            await session.rollback()
        errors.append(UserError(code=str(exc.code), field=exc.field, message=exc.message))
