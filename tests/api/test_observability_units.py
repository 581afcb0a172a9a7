"""The pieces of metrics and traces that need no server: bounded operation labels, the
standard OTEL_* switch, and a plain message when the OpenTelemetry extra is missing."""

from __future__ import annotations

import logging
import sys

import pytest
from starlette.applications import Starlette

from core.app.metrics import OperationNames
from core.app.tracing import setup_tracing, wanted_exporters
from core.tenancy.database import Database


def test_operation_labels_are_bounded_and_never_free_text() -> None:
    names = OperationNames(limit=2)
    assert names.label(None) == "anonymous" and names.label("") == "anonymous"
    assert names.label("FamiliesAndChildren") == "FamiliesAndChildren"
    assert names.label("jeanne.dupont@example.org") == "other"
    assert names.label("Second") == "Second"
    assert names.label("Third") == "other"  # the process met its share of names
    assert names.label("FamiliesAndChildren") == "FamiliesAndChildren"


@pytest.mark.parametrize(
    ("env", "exporters"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "console"}, ["console"]),
        ({"OTEL_TRACES_EXPORTER": "otlp,console"}, ["otlp", "console"]),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}, []),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, ["otlp"]),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, ["otlp"]),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}, []),
    ],
)
def test_traces_follow_the_standard_variables(env: dict[str, str], exporters: list[str]) -> None:
    assert wanted_exporters(env) == exporters


def test_traces_asked_for_without_the_extra_say_so_and_the_app_still_runs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As on an install without `maillage[otel]`: the import fails.
    monkeypatch.setitem(sys.modules, "opentelemetry.instrumentation.asgi", None)
    app = Starlette()
    db = Database("sqlite+aiosqlite:///:memory:")
    with caplog.at_level(logging.ERROR, logger="maillage.tracing"):
        on = setup_tracing(app, db, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert on is False and app.user_middleware == []
    (record,) = caplog.records
    assert record.__dict__["event"] == "otel_missing"
    assert "pip install 'maillage[otel]'" in record.getMessage()
