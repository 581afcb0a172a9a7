"""Prometheus metrics at ``/metrics``: requests by route template, GraphQL operations,
latencies, error codes, database pools (docs/operator-runbook.md, "Métriques").

Labels are bounded on purpose: a route is its template (``/q/{token}``, never the
path, so no token and no id reaches a label); an operation is its name only among the
first ``MAX_OPERATION_NAMES`` distinct well-formed names the process meets (others are
``other``, a nameless one ``anonymous``); an error code is one of ``ErrorCode``.

Each app has its own registry (tests build many apps in one process). Served only to
a scraper that presents ``MAILLAGE_METRICS_TOKEN`` as a bearer token; without the
setting ``/metrics`` does not exist (docs/decisions.md, 74).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope
from strawberry.extensions import SchemaExtension

from core.app.authn import bearer_token
from core.auth.secrets import same
from core.errors import ErrorCode
from core.logs import RequestFacts, request_facts_var

MAX_OPERATION_NAMES = 100
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CODES = frozenset(str(code) for code in ErrorCode)
# Seconds; the API answers most requests in tens of milliseconds, documents in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The template of the route that serves ``scope`` (``/q/{token}``), or
    ``unmatched``; a plugin's routes behind its gate are ``/plugins/<name>/{path}``."""
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            inner = _inner_routes(route)
            rest = route_template(inner, {**scope, **child}) if inner else "/{path}"
            return route.path + (rest if rest != "unmatched" else "/{path}")
        if isinstance(route, Route):
            return route.path
    return "unmatched"


def _inner_routes(mount: Mount) -> Sequence[BaseRoute]:
    """A mount's routes, looking through the middleware in front of them (the OIDC
    state cookie, a plugin's gate)."""
    app: Any = mount.app
    for _ in range(4):
        routes = getattr(app, "routes", None)
        if routes:
            return list(routes)
        app = getattr(app, "app", None)
    return []


class OperationNames:
    """GraphQL operation names as label values, bounded per process."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self.known: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _NAME.match(name):
            return "other"
        if name in self.known:
            return name
        if len(self.known) >= self.limit:
            return "other"
        self.known.add(name)
        return name


OPERATION_NAMES = OperationNames()


def _payload_codes(data: Any) -> Iterator[str]:
    """Codes of the user errors in the top-level mutation payloads (``errors { code }``,
    when the client selected them): cheap, one level deep."""
    if not isinstance(data, Mapping):
        return
    for payload in data.values():
        errors = payload.get("errors") if isinstance(payload, Mapping) else None
        for error in errors if isinstance(errors, list) else []:
            code = error.get("code") if isinstance(error, Mapping) else None
            if isinstance(code, str):
                yield code


class ObservedOperation(SchemaExtension):
    """Tell the request's facts which operation ran and which error codes it answered."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        facts = request_facts_var.get()
        if facts is None:
            return
        context = self.execution_context
        facts.operation = OPERATION_NAMES.label(context.operation_name)
        result = context.result
        errors = list(getattr(result, "errors", None) or context.pre_execution_errors or [])
        for error in errors:
            code = (getattr(error, "extensions", None) or {}).get("code")
            facts.error_codes.append(str(code) if code else "VALIDATION")
        facts.error_codes.extend(_payload_codes(getattr(result, "data", None)))


class PoolCollector(Collector):
    """Connections of each engine's pool, read at scrape time, and how many each engine
    has opened since the process started: under a steady load that count stays put; when
    it keeps growing, the pool is smaller than the requests in flight and closes the
    connections it opens beyond its size as soon as they are returned (decision 219)."""

    def __init__(self, engines: Mapping[str, AsyncEngine]) -> None:
        self.engines = dict(engines)
        self.opened: dict[str, int] = dict.fromkeys(self.engines, 0)
        for name, engine in self.engines.items():
            event.listen(engine.sync_engine, "connect", self._opener(name))

    def _opener(self, name: str) -> Any:
        def opened(_dbapi_connection: Any, _record: Any) -> None:
            self.opened[name] += 1

        return opened

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
        opened = CounterMetricFamily(
            "maillage_db_connections_opened",
            "Connexions ouvertes à la base depuis le démarrage du processus",
            labels=["engine"],
        )
        for name, count in self.opened.items():
            opened.add_metric([name], count)
        yield opened
        families = {
            "size": GaugeMetricFamily(
                "maillage_db_pool_size", "Connexions permanentes du pool", labels=["engine"]
            ),
            "in_use": GaugeMetricFamily(
                "maillage_db_pool_in_use",
                "Connexions prêtées (en cours d'usage)",
                labels=["engine"],
            ),
            "overflow": GaugeMetricFamily(
                "maillage_db_pool_overflow",
                "Connexions ouvertes au-delà de la taille du pool",
                labels=["engine"],
            ),
            "waiting": GaugeMetricFamily(
                "maillage_db_pool_waiting",
                "Requêtes en attente d'une connexion",
                labels=["engine"],
            ),
        }
        for name, engine in self.engines.items():
            pool = engine.sync_engine.pool
            if not isinstance(pool, QueuePool):
                continue  # SQLite in memory and tests' static pools: nothing to say
            families["size"].add_metric([name], pool.size())
            families["in_use"].add_metric([name], pool.checkedout())
            families["overflow"].add_metric([name], max(pool.overflow(), 0))
            families["waiting"].add_metric([name], _waiting(pool))
        yield from families.values()


def _waiting(pool: QueuePool) -> int:
    """Coroutines waiting for a connection. SQLAlchemy keeps no count; its asyncio pool's
    queue (created on first use) holds the waiters, a private attribute of asyncio's
    Queue: read defensively, 0 when absent."""
    queue = getattr(pool, "_pool", None)
    inner = vars(queue).get("_queue") if queue is not None and hasattr(queue, "__dict__") else None
    getters = getattr(inner, "_getters", None)
    return sum(1 for waiter in getters or () if not waiter.done())


class Metrics:
    """The app's registry and the instruments the access-log middleware feeds."""

    def __init__(self, engines: Mapping[str, AsyncEngine]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "maillage_http_requests",
            "Requêtes HTTP par méthode, modèle de route et statut",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "maillage_http_request_duration_seconds",
            "Durée des requêtes HTTP par méthode et modèle de route",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.operations = Counter(
            "maillage_graphql_operations",
            "Opérations GraphQL par nom",
            ["operation"],
            registry=self.registry,
        )
        self.operation_latency = Histogram(
            "maillage_graphql_operation_duration_seconds",
            "Durée des requêtes GraphQL par nom d'opération",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "maillage_errors",
            "Erreurs codées répondues (GraphQL et erreurs de formulaire des mutations)",
            ["code"],
            registry=self.registry,
        )
        self.registry.register(PoolCollector(engines))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)

    def observe(
        self, method: str, route: str, status: int, seconds: float, facts: RequestFacts
    ) -> None:
        method = method if method in _METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if facts.operation is not None:
            self.operations.labels(facts.operation).inc()
            self.operation_latency.labels(facts.operation).observe(seconds)
        for code in facts.error_codes:
            self.errors.labels(code if code in _CODES else "OTHER").inc()


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus' text format, for the bearer of MAILLAGE_METRICS_TOKEN only."""
    expected: str = request.app.state.settings.metrics_token
    if not expected:
        return JSONResponse(
            {"error": {"code": "NOT_FOUND", "message": "métriques non activées"}}, status_code=404
        )
    given = bearer_token(request)
    if given is None or not same(given, expected):
        return JSONResponse(
            {"error": {"code": "UNAUTHENTICATED", "message": "jeton de métriques requis"}},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    metrics: Metrics = request.app.state.metrics
    return Response(
        generate_latest(metrics.registry),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )


def metrics_route() -> Route:
    return Route("/metrics", metrics_endpoint, methods=["GET"])
