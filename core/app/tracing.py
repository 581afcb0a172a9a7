"""OpenTelemetry traces (HTTP requests and SQL statements), switched on by the standard
``OTEL_*`` variables and off otherwise (docs/decisions.md, 75).

On when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``) or an OTLP
endpoint is set (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``:
the exporter is then ``otlp``); off when ``OTEL_SDK_DISABLED=true`` or the exporter is
``none``. The SDK reads its own variables (``OTEL_SERVICE_NAME``,
``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_BSP_*``, the OTLP endpoint and headers).

The packages are the optional extra ``maillage[otel]``: asked for without them, the
server says so in its log (``otel_missing``) and runs without traces.

What a span may hold: the route template as its name (``GET /q/{token}``), the URL with
its tokens, query values and addresses masked (core.logs.redact), the SQL text with its
placeholders. Never the bound parameters (the SQLAlchemy instrumentation does not record
them, and the commenter stays off), never a header or a body.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.types import Scope

from core.app.metrics import route_template
from core.logs import redact
from core.tenancy.database import Database

log = logging.getLogger("maillage.tracing")
EXPORTERS = frozenset({"otlp", "console"})


def wanted_exporters(env: Mapping[str, str]) -> list[str]:
    """The exporters the standard variables ask for (empty: traces off)."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    raw = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if raw:
        names = [name.strip() for name in raw.split(",") if name.strip()]
        return [name for name in names if name != "none"]
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return ["otlp"]
    return []


def _span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    route = route_template(scope["app"].router.routes, scope) if "app" in scope else "unmatched"
    return f"{scope.get('method', 'HTTP')} {route}", {"http.route": route}


def _mask_attributes(span: Any, _scope: Scope) -> None:
    """The ASGI instrumentation records the path and the query string as they came: mask
    tokens, query values and addresses before the span goes anywhere."""
    if not span.is_recording():
        return
    for key, value in dict(getattr(span, "attributes", None) or {}).items():
        if isinstance(value, str) and (cleaned := redact(value)) != value:
            span.set_attribute(key, cleaned)


def setup_tracing(app: Starlette, db: Database, env: Mapping[str, str] | None = None) -> bool:
    """Instrument the app and the database engines if the OTEL_* variables ask for it;
    True when traces are on."""
    env = os.environ if env is None else env
    exporters = wanted_exporters(env)
    if not exporters:
        return False
    unknown = sorted(set(exporters) - EXPORTERS)
    if unknown:
        log.error(
            "unknown OTEL_TRACES_EXPORTER: traces off",
            extra={"event": "otel_misconfigured", "reason": ",".join(unknown)},
        )
        return False
    try:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SimpleSpanProcessor,
        )
    except ImportError as exc:
        log.error(
            "OTEL_* asks for traces but OpenTelemetry is not installed "
            "(pip install 'maillage[otel]'): traces off",
            extra={"event": "otel_missing", "reason": exc.name or "opentelemetry"},
        )
        return False

    # OTEL_SERVICE_NAME wins over our default (Resource.create would let ours win).
    service = env.get("OTEL_SERVICE_NAME") or "maillage"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    for name in exporters:
        if name == "console":
            # A debugging aid: each span printed as it ends.
            provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
            continue
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            log.error(
                "OTLP exporter not installed (pip install 'maillage[otel]'): traces off",
                extra={"event": "otel_missing", "reason": exc.name or "otlp"},
            )
            return False
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))

    engines = [db.engine.sync_engine]
    if db.platform_engine is not db.engine:
        engines.append(db.platform_engine.sync_engine)
    # The instrumentation still declares "sqlalchemy < 2.1" and would do nothing on the
    # 2.1 maillage needs; it only listens to the engine's cursor events, an API 2.1 keeps
    # (the live trace test proves the spans), so the check is skipped.
    SQLAlchemyInstrumentor().instrument(
        engines=engines, tracer_provider=provider, skip_dep_check=True
    )
    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=provider,
        default_span_details=_span_details,
        server_request_hook=_mask_attributes,
        exclude_spans=["receive", "send"],
    )
    log.info("traces on", extra={"event": "otel_enabled", "reason": ",".join(sorted(exporters))})
    return True
