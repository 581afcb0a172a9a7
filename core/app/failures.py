"""What a client sees when something of ours fails outside GraphQL's own error handling.

Inside an operation, an unexpected exception becomes a coded ``INTERNAL`` error with the
request id (core.api.errors). Before and around it — opening the request's database
connection, a page's handler, a document — an exception used to reach Starlette's
ServerErrorMiddleware, which answers a bare ``Internal Server Error`` in plain text: no
code for a client to branch on, no request id for the operator to find the log line.

This middleware sits inside the security headers and the request-id middleware, so the
answer it gives carries both. It answers:

* ``UNAVAILABLE`` (HTTP 503, ``Retry-After``) when the database cannot be reached or the
  pool has no connection to give in time: the client's request was fine, trying again
  later is the right move;
* ``INTERNAL`` (HTTP 500) for anything else;

as GraphQL-shaped JSON for API clients, and as a page in French for a person in a
browser (``Accept: text/html``). The stack goes to the log, never to the client.
"""

from __future__ import annotations

import html
import logging

from sqlalchemy import exc as sa_exc
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.api.limits import BodyTooLarge
from core.errors import ErrorCode
from core.logs import request_id_var

log = logging.getLogger("maillage.http")

RETRY_AFTER_SECONDS = 5


def is_unavailable(exc: BaseException) -> bool:
    """The database is out of reach (refused, down, not accepting connections) or the
    pool had no connection to give: a condition of the service, not of the request."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    # DatabaseUnreachable (core.db.engine) is a ConnectionError.
    return isinstance(exc, ConnectionError | TimeoutError)


def failure_response(scope: Scope, exc: BaseException) -> Response:
    request_id = request_id_var.get() or ""
    unavailable = is_unavailable(exc)
    code = ErrorCode.UNAVAILABLE if unavailable else ErrorCode.INTERNAL
    status = 503 if unavailable else 500
    headers = {"Cache-Control": "no-store"}
    if unavailable:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        title = "Service momentanément indisponible"
        message = "Le service ne peut pas répondre pour le moment. Réessayez dans un instant."
    else:
        title = "Erreur inattendue"
        message = "Une erreur inattendue s'est produite de notre côté."
    if _wants_html(scope):
        return HTMLResponse(_page(title, message, request_id), status_code=status, headers=headers)
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"{message} Référence : {request_id}.",
                    "extensions": {"code": str(code), "requestId": request_id},
                }
            ]
        },
        status_code=status,
        headers=headers,
    )


def _wants_html(scope: Scope) -> bool:
    if scope.get("path", "").startswith("/graphql"):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    return "text/html" in accept


def _page(title: str, message: str, request_id: str) -> str:
    # Self-contained on purpose: the page engine, its templates or the database may be
    # what failed. No inline style or script (the CSP forbids them); the stylesheet is
    # the app's own static file.
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} — maillage</title>"
        '<link rel="stylesheet" href="/static/pages/maillage.css"></head><body><main id="contenu">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        "<p>Si cela se répète, transmettez cette référence à la personne qui administre "
        f"l'application : <code>{html.escape(request_id)}</code>.</p>"
        '<p><a href="/">Revenir à « Aujourd\'hui »</a></p></main></body></html>'
    )


class UnexpectedErrors:
    """Turn an exception that escaped the app into a coded answer (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except BodyTooLarge:
            # Not a failure: the body limit's own signal, answered 413 by BodyLimit,
            # which wraps this middleware.
            raise
        except Exception as exc:
            if started:
                # Half an answer is on the wire: nothing sane can follow it.
                raise
            log.error(
                "unexpected error outside an operation",
                exc_info=exc,
                extra={
                    "event": "http_error",
                    "error_code": "UNAVAILABLE" if is_unavailable(exc) else "INTERNAL",
                },
            )
            await failure_response(scope, exc)(scope, receive, send)
