"""The page engine's pieces that need no browser: French dates and numbers, the
operations checked at startup, the form's errors drawn from a payload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.api.pages import FormErrors, OperationResult, date_fr, number_fr
from core.app.pages.operations import OperationBook, core_operations_dir
from core.app.schema import build_schema
from core.plugins.host import PluginHost, PluginStartupError


def test_dates_and_numbers_read_the_french_way() -> None:
    assert date_fr(dt.date(2026, 12, 6)) == "6 décembre 2026"
    assert date_fr("2027-03-01") == "1er mars 2027"
    assert number_fr(1234.5) == "1\u202f234,5"
    assert number_fr(1234567) == "1\u202f234\u202f567"
    assert number_fr(3, decimals=2) == "3,00"


@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    return build_schema(PluginHost.start(entry_points=False))


def test_every_committed_operation_is_valid_against_the_schema(schema) -> None:  # type: ignore[no-untyped-def]
    book = OperationBook.load(schema, [("core", core_operations_dir())])
    assert {"Layout", "Home", "SwitchPole"} <= set(book.operations)


def test_an_operation_on_a_missing_field_stops_startup(schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "Broken.graphql").write_text("query Broken { families { nope } }")
    with pytest.raises(PluginStartupError, match=r"Broken\.graphql"):
        OperationBook.load(schema, [("core", tmp_path)])


def test_an_unknown_operation_declared_by_a_page_is_a_problem(schema) -> None:  # type: ignore[no-untyped-def]
    book = OperationBook.load(schema, [("core", core_operations_dir())])
    assert book.check_declared("core", ["Hom"], "/") == [
        ("core", "la page / utilise l'opération inconnue Hom")
    ]


def test_payload_errors_go_next_to_their_field_and_the_rest_to_the_summary() -> None:
    result = OperationResult(
        {
            "recordRequest": {
                "errors": [
                    {"code": "VALIDATION", "field": "requesterName", "message": "qui ?"},
                    {"code": "VALIDATION", "field": "input.communeInsee", "message": "commune"},
                    {"code": "CONFLICT", "field": "id", "message": "déjà traitée"},
                ]
            }
        }
    )
    errors = FormErrors.of(
        result,
        "recordRequest",
        form_fields=["requesterName", "commune"],
        aliases={"communeInsee": "commune"},
    )
    assert errors.fields == {"requesterName": "Qui ?", "commune": "Commune"}
    assert errors.general == ["Déjà traitée"]
    assert errors.summary()[0] == ("requesterName", "Qui ?")
