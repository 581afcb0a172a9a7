"""Error codes on every GraphQL error, and masking of the unexpected ones.

A ``MaillageError`` raised by a service reaches the client as its French message
with ``extensions: {code, field}``. A GraphQL syntax/validation error keeps its
message with code ``VALIDATION``. Anything else is a bug: the client sees
"Erreur inattendue." with code ``INTERNAL`` and the request id; the stack goes to
the log, never to the client (no SQL, no stack trace).
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from core.errors import ErrorCode, MaillageError
from core.logs import request_id_var

log = logging.getLogger("maillage.api")


def _copy(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class CodedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(error_message="Erreur inattendue.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._coded(error) for error in errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, MaillageError):
            extensions: dict[str, object] = {"code": str(original.code)}
            if original.field:
                extensions["field"] = original.field
            return _copy(error, original.message, extensions)
        if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
            return _copy(error, original.message, dict(original.extensions or {}))
        if original is None:
            code = (error.extensions or {}).get("code", ErrorCode.VALIDATION)
            return _copy(error, error.message, {**(error.extensions or {}), "code": str(code)})
        log.error(
            "unexpected error in a resolver",
            exc_info=(type(original), original, original.__traceback__),
            extra={"event": "graphql_error", "error_code": "INTERNAL"},
        )
        return _copy(
            error,
            self.error_message,
            {"code": str(ErrorCode.INTERNAL), "requestId": request_id_var.get()},
        )
