"""``JsonFormatter``: one JSON object a line, the request id, and no personal data."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest

from core.logs import ALLOWED_EXTRA, ConsoleFormatter, JsonFormatter, request_id_var


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.Logger(f"maillage.test.{uuid.uuid4().hex}", level=logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream


@pytest.fixture
def request_id() -> Iterator[str]:
    value = "0193f0c2-7a1b-7c3d-8e4f-0123456789ab"
    token = request_id_var.set(value)
    yield value
    request_id_var.reset(token)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    raw = stream.getvalue().splitlines()
    return [json.loads(line) for line in raw]


def test_each_record_is_one_json_object_on_one_line(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    logger.info("premier")
    logger.warning("second\navec un saut de ligne")
    records = lines(stream)
    assert len(records) == 2
    assert records[0]["message"] == "premier"
    assert records[0]["level"] == "info"
    assert records[0]["logger"] == logger.name
    assert str(records[0]["time"]).endswith("+00:00")
    assert records[1]["message"] == "second\navec un saut de ligne"
    assert records[1]["level"] == "warning"


def test_request_id_is_included_when_set(
    logged: tuple[logging.Logger, io.StringIO], request_id: str
) -> None:
    logger, stream = logged
    logger.info("requête traitée")
    assert lines(stream)[0]["request_id"] == request_id


def test_request_id_is_absent_outside_a_request(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    assert request_id_var.get() is None
    logger.info("tâche de fond")
    assert "request_id" not in lines(stream)[0]


def test_extra_keys_outside_the_whitelist_are_dropped(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    logger.info(
        "connexion",
        extra={"email": "a@b.c", "variables": {"name": "Jeanne Dupont"}, "event": "login"},
    )
    raw = stream.getvalue()
    assert "a@b.c" not in raw
    assert "Jeanne Dupont" not in raw
    record = json.loads(raw)
    assert "email" not in record
    assert "variables" not in record
    assert record["event"] == "login"


def test_whitelisted_extra_keys_are_included_with_their_values(
    logged: tuple[logging.Logger, io.StringIO], request_id: str
) -> None:
    logger, stream = logged
    tenant = uuid.uuid4()
    logger.info(
        "requête",
        extra={
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "duration_ms": 12.5,
            "tenant": tenant,
            "count": 3,
        },
    )
    record = lines(stream)[0]
    assert record["method"] == "POST"
    assert record["path"] == "/graphql"
    assert record["status"] == 200
    assert record["duration_ms"] == 12.5
    assert record["tenant"] == str(tenant)  # non-JSON values are written as text
    assert record["count"] == 3
    assert record["request_id"] == request_id
    assert set(record) <= {"time", "level", "logger", "message", "request_id"} | ALLOWED_EXTRA


def test_exception_traceback_is_included(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("échec")
    records = lines(stream)
    assert len(records) == 1
    assert records[0]["level"] == "error"
    assert "RuntimeError: boom" in str(records[0]["exception"])


def test_console_formatter_also_drops_non_whitelisted_extra(request_id: str) -> None:
    record = logging.LogRecord("maillage", logging.INFO, __file__, 1, "bonjour", None, None)
    record.email = "a@b.c"
    record.status = 204
    line = ConsoleFormatter().format(record)
    assert "a@b.c" not in line
    assert "status=204" in line
    assert line.startswith(f"INFO    [{request_id[:8]}] bonjour")


LINK_TOKEN = "q_jKL2jWpT5lb_fHjGS55ufSSrK9-GfruFSKPeZYEsc6k"
RESET_TOKEN = "mp_Zx1Fq0y8c7bS1w9Rk3V2n4M5p6L7o8K9j0H1g2F3d4S"
JWT = "eyJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_secrets_in_messages_paths_and_exceptions_are_masked(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    """Whatever a handler or a library puts in a message, an extra or a traceback: link
    tokens, query strings, bearer tokens, e-mail addresses and SQL parameters are masked
    at the formatter, the one place every log line goes through."""
    logger, stream = logged
    logger.info("ouvert", extra={"path": f"/q/{LINK_TOKEN}"})
    logger.info(f"GET /auth/password/reset?token={RESET_TOKEN}&x=1 de jeanne.dupont@example.org")
    try:
        raise RuntimeError(
            f"Bearer {JWT} refusé\n[SQL: SELECT 1 WHERE name = ?]\n[parameters: ('Jeanne Dupont',)]"
        )
    except RuntimeError:
        logger.exception("échec", extra={"reason": f"callback?code=abc123&state={RESET_TOKEN}"})
    raw = stream.getvalue()
    for secret in (
        LINK_TOKEN,
        RESET_TOKEN,
        JWT,
        "jeanne.dupont@example.org",
        "Jeanne Dupont",
        "abc123",
    ):
        assert secret not in raw
    first, second, third = lines(stream)
    assert first["path"] == "/q/[masqué]"
    assert "/auth/password/reset?token=[masqué]&x=[masqué]" in str(second["message"])
    assert "[SQL: SELECT 1 WHERE name = ?]" in str(third["exception"])  # the statement stays
    line = ConsoleFormatter().format(
        logging.LogRecord("maillage", logging.INFO, __file__, 1, f"/q/{LINK_TOKEN}", None, None)
    )
    assert LINK_TOKEN not in line and "/q/[masqué]" in line
