"""Structured logs: one JSON object a line, with the request id, never personal data.

What may be logged: ids, slugs, paths, status codes, durations, counts. What may not:
request bodies, GraphQL variables, names, e-mail addresses, free text. Handlers
pass such context through ``extra={...}`` with the whitelisted keys below.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys

from core.settings import Settings

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "maillage_request_id", default=None
)

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
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            payload["request_id"] = request_id
        for key in ALLOWED_EXTRA:
            if key in record.__dict__:
                payload[key] = record.__dict__[key]
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={record.__dict__[k]}" for k in sorted(ALLOWED_EXTRA) if k in record.__dict__
        )
        request_id = request_id_var.get()
        prefix = f"[{request_id[:8]}] " if request_id else ""
        line = f"{record.levelname:<7} {prefix}{record.getMessage()} {extras}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else ConsoleFormatter())
    root = logging.getLogger("maillage")
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    root.propagate = False
    # uvicorn's own access log would print query strings; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
