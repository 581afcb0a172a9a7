"""The Starlette application: /graphql, /auth/*, /.well-known/*, /healthz, plugin
routes; request ids, access log, shutdown."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from core import __version__
from core.api.auth_routes import auth_routes
from core.api.authn import (
    CSRF_COOKIE,
    CSRF_HEADER,
    authenticate,
    csrf_ok,
    unauthenticated,
)
from core.api.context import Context
from core.api.limits import BodyLimit
from core.api.oidc import oidc_mount
from core.api.questionnaire_pages import questionnaire_routes
from core.api.reports import report_routes
from core.api.schema import ambiguous_operation, compose
from core.auth.principal import Principal
from core.auth.service import AuthService
from core.logs import request_id_var
from core.plugins.host import PluginHost
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
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        host: PluginHost,
        auth: AuthService,
        **kw: Any,
    ) -> None:
        composed = compose(host, introspection=settings.introspection)
        super().__init__(
            composed.schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=False,
            **kw,
        )
        # GraphiQL rides on the session cookie: let it echo our CSRF cookie in our
        # header (strawberry's page reads Django's names).
        self._ide_html = (
            super()
            .graphql_ide_html.replace('Cookies.get("csrftoken")', f'Cookies.get("{CSRF_COOKIE}")')
            .replace('"x-csrftoken"', f'"{CSRF_HEADER}"')
        )
        self.settings = settings
        self.db = db
        self.host = host
        self.auth = auth
        self.nodes = composed.nodes

    @property
    def graphql_ide_html(self) -> str:
        return self._ide_html

    async def execute_single(self, *, request_data: Any, sub_response: Any, **kw: Any) -> Any:
        refused = ambiguous_operation(request_data.query, request_data.operation_name)
        if refused is not None:
            sub_response.status_code = 400  # GraphQL-over-HTTP: the request cannot run
            return ExecutionResult(data=None, errors=[refused])
        return await super().execute_single(
            request_data=request_data, sub_response=sub_response, **kw
        )

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        if request.method == "GET" and self.should_render_graphql_ide(request):
            return await super().run(request, context=None, root_value=root_value)
        ctx = await make_context(request, self.settings, self.db, self.host, self.auth, self.nodes)
        if ctx.principal.refused_credential:
            log.info(
                "credential refused",
                extra={
                    "event": "auth_refused",
                    "error_code": "UNAUTHENTICATED",
                    # "expired", "wrong audience"…: never the token itself.
                    "reason": ctx.principal.refused_credential,
                },
            )
            return unauthenticated()
        try:
            return await super().run(request, context=ctx, root_value=root_value)
        finally:
            await ctx.close()


async def make_context(
    request: Request,
    settings: Settings,
    db: Database,
    host: PluginHost,
    auth: AuthService,
    nodes: Mapping[str, tuple[str, type]] | None = None,
) -> Context:
    principal: Principal = await authenticate(request, auth)
    return Context(
        request=request,
        settings=settings,
        db=db,
        host=host,
        auth=auth,
        principal=principal,
        csrf_failed=not csrf_ok(request, auth, principal),
        nodes=nodes or {},
    )


class PluginGate:
    """In front of a plugin's routes: a pole must be resolved and have the plugin
    enabled; the handler then finds the request context in ``request.state.context``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        name: str,
        settings: Settings,
        db: Database,
        host: PluginHost,
        auth: AuthService,
    ) -> None:
        self.app, self.name, self.settings, self.db, self.host = app, name, settings, db, host
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Not served: a plugin route is plain HTTP behind the gate, nothing else.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        ctx = await make_context(request, self.settings, self.db, self.host, self.auth)
        try:
            if ctx.principal.refused_credential or ctx.actor is None:
                response: Response | None = _error(
                    401, "UNAUTHENTICATED", "authentification requise"
                )
            elif ctx.tenant is None:
                response = _error(403, "FORBIDDEN", "aucun pôle dont vous êtes membre")
            elif request.method not in {"GET", "HEAD", "OPTIONS"} and ctx.csrf_failed:
                response = _error(403, "FORBIDDEN", "jeton CSRF manquant (X-CSRF-Token)")
            elif self.name not in await ctx.enabled_plugins():
                response = _error(
                    403,
                    "PLUGIN_DISABLED",
                    f"le module « {self.name} » n'est pas activé pour ce pôle",
                )
            else:
                response = None
                scope.setdefault("state", {})["context"] = ctx
                await self.app(scope, receive, send)
            if response is not None:
                await response(scope, receive, send)
        finally:
            await ctx.close()


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def plugin_mounts(
    settings: Settings, db: Database, host: PluginHost, auth: AuthService
) -> list[BaseRoute]:
    """``/plugins/<name>/…`` for each plugin with routes, behind the gate."""
    mounts: list[BaseRoute] = []
    for name in sorted(host.plugins):
        routes = host.plugin_caller("maillage_routes", name)()
        flat = [route for group in routes for route in (group or [])]
        if flat:
            gated = PluginGate(
                Router(routes=flat), name=name, settings=settings, db=db, host=host, auth=auth
            )
            mounts.append(Mount(f"/plugins/{name}", app=gated))
    return mounts


def create_app(
    settings: Settings,
    db: Database | None = None,
    host: PluginHost | None = None,
    auth: AuthService | None = None,
) -> Starlette:
    """The ASGI app. ``host`` defaults to the installed plugins (MAILLAGE_PLUGINS
    allow-list applied); a faulty plugin raises ``PluginStartupError`` here."""
    plugin_host = host or PluginHost.from_settings(settings)
    database = db or Database.from_settings(settings)
    plugin_host.bind(database)
    auth_service = auth or AuthService.from_settings(settings, database, plugin_host.actions)

    async def healthz(_request: Request) -> Response:
        try:
            await database.ping()
        except Exception:
            log.exception("health check failed", extra={"event": "healthz"})
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        log.info(
            "maillage started",
            extra={"event": "startup", "plugins": ",".join(sorted(plugin_host.plugins))},
        )
        await auth_service.reload_keys()
        if auth_service.ring.jwks()["keys"] == []:
            log.warning(
                "no signing key: run `maillage keys rotate`", extra={"event": "no_signing_key"}
            )
        try:
            yield
        finally:
            # Graceful shutdown: uvicorn has drained in-flight requests; deliver the
            # events and mails already committed, then close the pools.
            await plugin_host.drain()
            await auth_service.drain()
            await database.dispose()
            log.info("maillage stopped", extra={"event": "shutdown"})

    graphql_app = MaillageGraphQL(
        settings=settings, db=database, host=plugin_host, auth=auth_service
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *auth_routes(),
            *report_routes(),
            *questionnaire_routes(),
            oidc_mount(settings.secret_key, https_only=settings.is_production),
            *plugin_mounts(settings, database, plugin_host, auth_service),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.state.settings = settings
    app.state.db = database
    app.state.host = plugin_host
    app.state.auth = auth_service
    app.state.graphql = graphql_app
    app.state.oidc_clients = {}
    return app
