"""The Starlette application: /graphql, /healthz; request ids, access log, shutdown."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from core import __version__
from core.api.context import Context
from core.api.schema import build_schema
from core.api.tenant_resolution import resolve_tenant
from core.logs import request_id_var
from core.settings import Settings
from core.tenancy.database import Database

log = logging.getLogger("maillage.http")
REQUEST_ID_HEADER = "x-request-id"


class RequestIdMiddleware:
    """Give every request an id (the caller's if sane), log one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"").decode()
        request_id = incoming if _sane_id(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "event": "http_request",
                    "method": scope.get("method"),
                    "path": scope.get("path"),  # never the query string
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(token)


def _sane_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


class MaillageGraphQL(GraphQL[Context, None]):
    def __init__(self, *, settings: Settings, db: Database, **kw: Any) -> None:
        super().__init__(
            build_schema(introspection=settings.introspection),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=False,
            **kw,
        )
        self.settings = settings
        self.db = db

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        tenant = await resolve_tenant(request, self.settings, self.db)
        ctx = Context(request=request, settings=self.settings, db=self.db, tenant=tenant)
        try:
            return await super().run(request, context=ctx, root_value=root_value)
        finally:
            await ctx.close()


def create_app(settings: Settings, db: Database | None = None) -> Starlette:
    database = db or Database.from_settings(settings)

    async def healthz(_request: Request) -> Response:
        try:
            await database.ping()
        except Exception:
            log.exception("health check failed", extra={"event": "healthz"})
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        log.info("maillage started", extra={"event": "startup"})
        try:
            yield
        finally:
            # Graceful shutdown: uvicorn has drained in-flight requests; close the pools.
            await database.dispose()
            log.info("maillage stopped", extra={"event": "shutdown"})

    graphql_app = MaillageGraphQL(settings=settings, db=database)
    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(RequestIdMiddleware)
    app.state.settings = settings
    app.state.db = database
    return app
