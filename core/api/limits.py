"""Limits at the API's edge: the request body (413 before an oversized body is read),
and the descriptions that state each text field's limit in the schema.

A declared ``Content-Length`` above the limit is refused before a byte of the body
is read; a body without one (chunked) is counted as it streams and refused as soon
as it passes the limit. Either way the app behind never holds more than the limit in
memory, and the connection is closed by the server (uvicorn) without draining the
rest. The answer has the GraphQL response shape, like every other refusal of /graphql.
"""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db.limits import limit_text, number, text_limit
from core.errors import ErrorCode


class BodyTooLarge(Exception):
    """Raised from ``receive`` once the streamed body passes the limit."""


def body_limit_text(max_bytes: int) -> str:
    """The limit as a person reads it: « 1 Mio », « 256 Kio », « 1 500 octets »."""
    for unit, size in (("Mio", 1024 * 1024), ("Kio", 1024)):
        if max_bytes >= size and max_bytes % size == 0:
            return f"{number(max_bytes // size)} {unit}"
    return f"{number(max_bytes)} octets"


def too_large(max_bytes: int) -> JSONResponse:
    message = f"corps de requête trop volumineux ({body_limit_text(max_bytes)} au plus)"
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": message, "extensions": {"code": ErrorCode.VALIDATION}}],
        },
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimit:
    """ASGI middleware: refuse a request body above ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await too_large(self.max_bytes)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:  # the app answered before reading all of it: nothing to add
                return
            await too_large(self.max_bytes)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            # A malformed length is uvicorn's to refuse (400); count the stream instead.
            return int(value) if value.isdigit() else None
    return None


def described(column: Any, description: str) -> str:
    limit = text_limit(column)
    if limit is None:
        raise ValueError(f"{column} ne déclare aucune limite de longueur")
    if not description:
        return f"{limit_text(limit)}."
    return f"{description.rstrip('.')} ({limit_text(limit)})."


def chars(column: Any, description: str = "") -> Any:
    """A String argument's description quoting its column's limit:
    ``notes: Annotated[str, chars(FamilyModel.notes, "Notes libres.")] = ""``."""
    return strawberry.argument(description=described(column, description))


def chars_field(column: Any, description: str = "", **kw: Any) -> Any:
    """The same for an input type's field: ``notes: str = chars_field(Kit.notes, default="")``."""
    return strawberry.field(description=described(column, description), **kw)
