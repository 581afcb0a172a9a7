"""The body of a GraphQL request over HTTP, read strictly.

A body that is not a JSON object of the GraphQL-over-HTTP shape is the client's
mistake: HTTP 400 with a coded JSON answer naming what is wrong, never a 500 and
never a stack trace. strawberry's own reading assumes an object (``null`` or ``42``
crashed it) and lets Python's JSON parser recurse as deep as the body goes.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from cross_web import HTTPException

# Deeper than any GraphQL input this schema has (inputs nest three or four levels):
# the limit only stops bodies built to exhaust the parser.
MAX_JSON_DEPTH = 32


class BodyRefused(HTTPException):
    """A 400 that names the part of the request at fault."""

    def __init__(self, reason: str, field: str) -> None:
        super().__init__(400, reason)
        self.field = field


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit``, strings skipped — checked before
    parsing, so a hostile body never reaches the recursive parser."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _too_deep() -> BodyRefused:
    return BodyRefused(
        f"corps refusé : JSON imbriqué sur plus de {MAX_JSON_DEPTH} niveaux", field="body"
    )


def _parsed_strictly(text: str) -> Any:
    """Python's parser, the brackets counted first so that it never recurses deeper than
    ``MAX_JSON_DEPTH``."""
    if _depth_exceeds(text, MAX_JSON_DEPTH):
        raise _too_deep()
    try:
        return json.loads(text)
    except ValueError:
        raise BodyRefused("corps illisible : JSON attendu", field="body") from None


def _nested_deeper(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests objects and arrays deeper than ``limit`` (the
    same count as ``_depth_exceeds``: the outer object is level 1), without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_graphql_body(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused("corps illisible : UTF-8 attendu", field="body") from None
    try:
        # orjson's parser is not recursive in Python and stops past 1,024 levels: it
        # reads a hostile body safely, then the depth is measured on what it read
        # (a tenth of the character scan's CPU on a dashboard body: decision 217).
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        # What orjson refuses and Python's parser may accept (a lone surrogate, an
        # integer past 64 bits) or refuses with its own words: the strict path.
        data = _parsed_strictly(text)
    else:
        if _nested_deeper(data, MAX_JSON_DEPTH):
            raise _too_deep()
    if not isinstance(data, dict):
        raise BodyRefused('corps refusé : un objet JSON {"query": …} est attendu', field="body")
    expected = {
        "query": (str, "une chaîne"),
        "operationName": (str, "une chaîne ou null"),
        "variables": (dict, "un objet ou null"),
        "extensions": (dict, "un objet ou null"),
    }
    for key, (kind, words) in expected.items():
        value = data.get(key)
        if value is not None and not isinstance(value, kind):
            raise BodyRefused(f"« {key} » doit être {words}", field=key)
    if not isinstance(data.get("query"), str):
        raise BodyRefused("« query » manquant : le document GraphQL est attendu", field="query")
    return data
