"""Error codes on every GraphQL error, and masking of the unexpected ones.

A ``MaillageError`` raised by a service reaches the client as its French message
with ``extensions: {code, field}``. An error of the request itself — syntax,
validation, a variable of the wrong type or missing — is the client's mistake: code
``VALIDATION``, ``field`` naming the variable (and the path inside it), nothing logged
above info. Anything else is a bug: the client sees "Erreur inattendue." with code
``INTERNAL`` and the request id; the stack goes to the log, never to the client (no
SQL, no stack trace).
"""

from __future__ import annotations

import logging
import re

from graphql.error import GraphQLError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import MaskErrors

from core.errors import ErrorCode, MaillageError
from core.logs import request_id_var

log = logging.getLogger("maillage.api")

# graphql-core's words for a variable that could not be coerced: "Variable '$input'
# has invalid value at .lines[0].quantity: …" (execution/values.py).
_VARIABLE = re.compile(
    r"^Variable '\$(?P<name>\w+)' has invalid (?:default )?value(?: at )?(?P<path>[^:]*):"
)


def variable_field(message: str) -> str | None:
    """``input.lines.0.quantity`` for an error about that variable, else None."""
    match = _VARIABLE.match(message)
    if match is None:
        return None
    path = re.sub(r"\[(\d+)\]", r".\1", match.group("path"))
    return match.group("name") + path


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
        if _is_request_error(error):
            extensions = {**(error.extensions or {})}
            extensions.setdefault("code", str(ErrorCode.VALIDATION))
            field = variable_field(error.message)
            if field:
                extensions["field"] = field
            return _copy(error, error.message, extensions)
        log.error(
            "unexpected error in a resolver",
            exc_info=(type(original), original, original.__traceback__)
            if original is not None
            else None,
            extra={"event": "graphql_error", "error_code": "INTERNAL"},
        )
        return _copy(
            error,
            self.error_message,
            {"code": str(ErrorCode.INTERNAL), "requestId": request_id_var.get()},
        )


def _is_request_error(error: GraphQLError) -> bool:
    """An error of the request rather than of a resolver: no field path, and either
    graphql-core's own (syntax, validation, variable coercion) or a scalar refusing a
    variable's value (strawberry's coercion error)."""
    if error.path is not None:
        return False
    original = error.original_error
    return (
        original is None
        or isinstance(original, GraphQLError | StrawberryInputCoercionError)
        or variable_field(error.message) is not None
    )
