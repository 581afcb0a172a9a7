"""The API's response bodies (``MaillageGraphQL.encode_json``, orjson, decision 195): the
JSON the standard library would write, decoded, for what a resolver may answer — accented
text (written as UTF-8), a ``JSON`` value with keys that are not strings, an integer beyond
64 bits — so a client never meets an INTERNAL error for how a value is written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.app.app import MaillageGraphQL

CASES: dict[str, Any] = {
    "accents": {"data": {"name": "Crèche « Les Lutins » à Évreux"}},
    "keys that are not strings": {"data": {"export": {1: "un", 2.5: "deux et demi", None: 0}}},
    "beyond 64 bits": {"data": {"value": 2**70, "list": [-(2**65), 1.5, True, None]}},
    "errors": {"errors": [{"message": "Référence : abc.", "extensions": {"code": "INTERNAL"}}]},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_body_is_the_standard_librarys_json(name: str) -> None:
    data = CASES[name]
    body = MaillageGraphQL.encode_json(None, data)  # type: ignore[arg-type]
    assert isinstance(body, bytes)
    assert json.loads(body) == json.loads(json.dumps(data))


def test_accented_letters_are_written_as_utf8() -> None:
    body = MaillageGraphQL.encode_json(None, CASES["accents"])  # type: ignore[arg-type]
    assert "Évreux".encode() in body and b"\\u" not in body
