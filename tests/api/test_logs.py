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
