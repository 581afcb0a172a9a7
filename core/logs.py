"""Structured logs: one JSON object a line, with the request id, never personal data.

What may be logged: ids, slugs, paths, status codes, durations, counts. What may not:
request bodies, GraphQL variables, names, e-mail addresses, free text, secrets. Handlers
pass such context through ``extra={...}`` with the whitelisted keys below.

Whatever a handler or a library writes anyway (a path with a link token, an exception
quoting a URL or SQL parameters) is masked by ``redact`` in the formatters, the one
place every line goes through: link tokens in ``/q/…``, query-string values, prefixed
tokens (``q_``, ``mi_``, ``mp_``, ``ms_``, ``mr_``, ``mcs_``), JWTs, e-mail addresses
and SQLAlchemy's ``[parameters: …]``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from dataclasses import dataclass, field

from core.settings import Settings

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "maillage_request_id", default=None
)


@dataclass
class RequestFacts:
    """What the request log line and the metrics say about a request, learnt on the way:
    the pole's slug and the pseudonymous actor (when authentication resolves them), the
    GraphQL operation and the error codes it answered. The access log middleware puts
    one in ``request_facts_var``; deeper layers fill it in place."""

    pole: str | None = None
    actor: str | None = None
    operation: str | None = None
    error_codes: list[str] = field(default_factory=list)


request_facts_var: contextvars.ContextVar[RequestFacts | None] = contextvars.ContextVar(
    "maillage_request_facts", default=None
)

MASK = "[masqué]"
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # The questionnaire link: the path segment is the credential (not a route template).
    (re.compile(r"(/q/)(?!\{)[^/?#\s\"']+"), rf"\1{MASK}"),
    # Any query string's values (reset and invitation tokens, OIDC code and state…).
    (re.compile(r"([?&][A-Za-z0-9_.\-\[\]]+=)[^&#\s\"'<>]*"), rf"\1{MASK}"),
    # The platform's own tokens, wherever they appear (core.auth.secrets.new_token).
    (re.compile(r"\b(q|mi|mp|ms|mr|mcs|mc)_[A-Za-z0-9_\-]{16,}"), rf"\1_{MASK}"),
    # Signed tokens (JWT access tokens, ID tokens, client assertions).
    (re.compile(r"\beyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*"), MASK),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), rf"\1 {MASK}"),
    (re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), "[adresse masquée]"),
    # SQLAlchemy quotes the bound values of a failed statement: names, free text.
    (re.compile(r"\[parameters: [^\n]*"), "[parameters: masqués]"),
)


def redact(text: str) -> str:
    """``text`` with every secret and personal detail the patterns know masked."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _clean(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


# Keys a log record may carry besides the message; anything else is dropped.
ALLOWED_EXTRA = frozenset(
    {
        "event",
        "method",
        "path",
        "status",
        "duration_ms",
        "tenant",
        "actor",
        "reason",
        "operation",
        "count",
        "error_code",
        "client",
        "plugin",
        "plugins",
        "route",
        "pole",
        "operation_name",
    }
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = request_id_var.get()
        if request_id:
            payload["request_id"] = request_id
        for key in ALLOWED_EXTRA:
            if key in record.__dict__:
                payload[key] = _clean(record.__dict__[key])
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={_clean(record.__dict__[k])}"
            for k in sorted(ALLOWED_EXTRA)
            if k in record.__dict__
        )
        request_id = request_id_var.get()
        prefix = f"[{request_id[:8]}] " if request_id else ""
        line = f"{record.levelname:<7} {prefix}{redact(record.getMessage())} {extras}".rstrip()
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else ConsoleFormatter())
    root = logging.getLogger("maillage")
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    root.propagate = False
    # uvicorn's own messages ("Exception in ASGI application" and its traceback) go
    # through the same formatter, so they are JSON and masked too.
    server = logging.getLogger("uvicorn")
    server.handlers[:] = [handler]
    server.propagate = False
    # uvicorn's own access log would print query strings; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
