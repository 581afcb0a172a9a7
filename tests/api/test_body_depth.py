"""The request body's depth limit (core/app/bodies.py): measured on what orjson parsed,
it refuses exactly what the character scan before it refused (decision 217)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.app.bodies import (
    MAX_JSON_DEPTH,
    BodyRefused,
    _depth_exceeds,
    _nested_deeper,
    parse_graphql_body,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=60,
)


def _nest(levels: int) -> Any:
    value: Any = []
    for index in range(levels - 1):
        value = {"v": value} if index % 2 else [value]
    return value


@given(json_values, st.integers(1, 6))
def test_the_parsed_depth_is_the_scanned_one(value: Any, limit: int) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert _nested_deeper(orjson.loads(text), limit) == _depth_exceeds(text, limit)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1])
def test_the_limit_holds_at_its_level(levels: int) -> None:
    body = json.dumps({"query": "{ __typename }", "variables": {"v": _nest(levels - 2)}})
    if levels > MAX_JSON_DEPTH:
        with pytest.raises(BodyRefused, match="imbriqué"):
            parse_graphql_body(body.encode())
    else:
        assert parse_graphql_body(body.encode())["query"] == "{ __typename }"


def test_what_orjson_refuses_takes_the_strict_path() -> None:
    # A lone surrogate: Python's parser reads it (the text checks refuse it later,
    # naming the field); an integer past 64 bits likewise.
    body = (
        b'{"query": "{ __typename }", '
        b'"variables": {"t": "\\ud800", "n": 123456789012345678901234567890}}'
    )
    data = parse_graphql_body(body)
    assert data["variables"] == {"t": "\ud800", "n": 123456789012345678901234567890}
    with pytest.raises(BodyRefused, match="imbriqué"):
        parse_graphql_body(b'{"t": "\\ud800", "v": ' + b"[" * 40 + b"]" * 40 + b"}")
