"""The Starlette application: the staff web app (/), /graphql, /auth/*,
/.well-known/*, /healthz, plugin routes; request ids, access log, shutdown."""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from cross_web import HTTPException  # what strawberry raises for a refused request
from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from core import __version__
from core.api.context import Context
from core.api.limits import BodyLimit
from core.app import graphiql
from core.app.auth_routes import auth_routes
from core.app.authn import authenticate, csrf_ok, unauthenticated
from core.app.bodies import BodyRefused, parse_graphql_body
from core.app.failures import UnexpectedErrors
from core.app.headers import SecurityHeaders
from core.app.metrics import Metrics, metrics_route, route_template
from core.app.oidc import oidc_mount
from core.app.pages.engine import PageEngine
from core.app.public import public_mounts
from core.app.questionnaire_pages import questionnaire_routes
from core.app.reports import report_routes
from core.app.schema import ambiguous_operation, compose
from core.app.tracing import setup_tracing
from core.auth.principal import Principal
from core.auth.service import AuthService
from core.logs import RequestFacts, request_facts_var, request_id_var
from core.network.routes import network_routes
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database

log = logging.getLogger("maillage.http")
REQUEST_ID_HEADER = "x-request-id"


class RequestIdMiddleware:
    """Give every request an id (the caller's if sane), log one line per request with
    its route template, pole slug and pseudonymous actor, and feed the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"").decode()
        request_id = incoming if _sane_id(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        facts = RequestFacts()
        facts_token = request_facts_var.set(facts)
        # Routing rewrites the scope (a mount's root_path): match the route on the scope
        # as it came in.
        incoming_scope = dict(scope)
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
            seconds = time.perf_counter() - started
            route = (
                route_template(scope["app"].router.routes, incoming_scope)
                if "app" in scope
                else "unmatched"
            )
            log.info(
                "request",
                extra={
                    "event": "http_request",
                    "method": scope.get("method"),
                    # Never the query string; a token in the path is masked (core.logs).
                    "path": scope.get("path"),
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "pole": facts.pole,
                    "actor": facts.actor,
                    "operation_name": facts.operation,
                },
            )
            if self.metrics is not None:
                self.metrics.observe(str(scope.get("method")), route, status, seconds, facts)
            request_facts_var.reset(facts_token)
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
        self.settings = settings
        self.db = db
        self.host = host
        self.auth = auth
        self.nodes = composed.nodes

    def encode_json(self, data: object) -> bytes:
        """The response's JSON by orjson: a nested page of a hundred follow-ups is some
        3,000 values, and the standard library's encoder took a millisecond of it, about
        a twentieth of the request (docs/decisions.md, 195). The same JSON, but UTF-8
        rather than ``\\u`` escapes for accented letters; keys that are not strings
        written as strings, as the standard library does. What orjson refuses and the
        standard library writes (an integer beyond 64 bits in a ``JSON`` value) is
        written by the standard library."""
        try:
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:  # orjson.JSONEncodeError
            return json.dumps(data, separators=(",", ":")).encode()

    async def render_graphql_ide(self, request: Any) -> Response:
        # Our own page: files served by the app (no CDN), CSRF header echoed, CSP.
        return graphiql.ide_response(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry answers its refusals (bad body, wrong method) in plain text; ours
        are coded JSON like every other error of the API."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = refused(exc)
        await response(scope, receive, send)

    async def parse_http_body(self, request: Any) -> Any:
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if request.method != "POST" or content_type != "application/json":
            return await super().parse_http_body(request)
        data = parse_graphql_body(await request.get_body())
        return GraphQLRequestData(
            query=data["query"],
            variables=data.get("variables"),
            operation_name=data.get("operationName"),
            extensions=data.get("extensions"),
            protocol="http",
        )

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
            await ctx.close()
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
    # The request's one session: authentication runs on it first, then it serves the
    # caller's pole — one connection, one transaction (docs/decisions.md, 92).
    session = db.reference_session()
    try:
        principal: Principal = await authenticate(request, auth, session)
    except BaseException:
        await session.close()
        raise
    return Context(
        request=request,
        settings=settings,
        db=db,
        host=host,
        auth=auth,
        principal=principal,
        csrf_failed=not csrf_ok(request, auth, principal),
        nodes=nodes or {},
        _session=session,
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


def refused(exc: HTTPException) -> Response:
    """A refusal of the request itself, in the shape of a GraphQL answer."""
    code = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 429: "RATE_LIMITED"}
    extensions = {"code": code.get(exc.status_code, "VALIDATION")}
    if isinstance(exc, BodyRefused):
        extensions["field"] = exc.field
    return JSONResponse(
        {"errors": [{"message": exc.reason, "extensions": extensions}]},
        status_code=exc.status_code,
    )


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
    # A plugin's mail (sdk.queue_mail) leaves right after its commit, as core's do.
    database.mail_sink = auth_service.send_mail_soon

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

    async def page_context(request: Request) -> Context:
        return await make_context(
            request, settings, database, plugin_host, auth_service, graphql_app.nodes
        )

    # The staff web app: its named operations are loaded and checked here, at startup.
    pages = PageEngine(
        schema=graphql_app.schema,
        host=plugin_host,
        auth=auth_service,
        make_context=page_context,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            metrics_route(),
            *auth_routes(),
            *network_routes(),
            *report_routes(),
            *questionnaire_routes(),
            oidc_mount(settings.secret_key, https_only=settings.is_production),
            *plugin_mounts(settings, database, plugin_host, auth_service),
            *public_mounts(database, plugin_host),
            *([graphiql.static_mount()] if settings.graphiql else []),
            *pages.routes(),
        ],
        lifespan=lifespan,
    )
    # Innermost: its coded answer to an escaped exception gets the headers and request id.
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(SecurityHeaders, production=settings.is_production)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    engines = {"app": database.engine, "side": database.side_engine}
    if database.platform_engine is not database.engine:
        engines["platform"] = database.platform_engine
    metrics = Metrics(engines)
    app.add_middleware(RequestIdMiddleware, metrics=metrics)
    app.state.metrics = metrics
    # Outermost when on: the span covers the whole request (OTEL_* variables).
    app.state.tracing = setup_tracing(app, database)
    app.state.settings = settings
    app.state.db = database
    app.state.host = plugin_host
    app.state.auth = auth_service
    app.state.graphql = graphql_app
    app.state.pages = pages
    app.state.oidc_clients = {}
    return app
