"""A document sent again is neither parsed nor validated again — and every limit holds.

Clients send the same few operations over and over; parsing and validating them each
time cost more than some of their SQL. The caches key on the document's text and
belong to one schema instance: a document valid for the demo's schema (introspection
on) is not thereby valid for a production schema (introspection off).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema

from core.app.schema import MAX_DEPTH, build_schema
from core.plugins.host import PluginHost
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time graphql-core really validates a document (strawberry's call)."""
    seen: list[str] = []
    real = strawberry_schema.validate

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        seen.append(document.loc.source.body if document.loc else "")
        return real(schema, document, rules)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    return seen


async def test_a_repeated_document_is_validated_once(
    client: GraphQLClient, two_poles: TwoPoles, validations: list[str]
) -> None:
    # A text of its own (the alias names this run), so that no earlier test of the
    # process validated it already: the process keeps one schema and its cache for
    # every app built from the same classes (core/app/schema.py).
    query = f"{{ serviceAreas {{ name total_{uuid.uuid4().hex}: population }} }}"
    for _ in range(3):
        result = await client.execute(query, tenant=two_poles.a)
        assert "errors" not in result, result
    assert validations.count(query) == 1


async def test_an_invalid_document_is_refused_every_time(
    client: GraphQLClient, two_poles: TwoPoles, validations: list[str]
) -> None:
    # Deeper than MAX_DEPTH: refused by a rule that strawberry builds afresh for
    # each request, so a cache keyed on the rules' identity would never hit.
    deep = "{ serviceAreas { " + "communes { departement { name " * MAX_DEPTH
    deep += "} }" * MAX_DEPTH + " } }"
    for _ in range(2):
        result = await client.execute(deep, tenant=two_poles.a)
        assert result.get("data") is None
        assert set(error_codes(result)) == {"VALIDATION"}, result
        assert any("depth" in e["message"] for e in result["errors"]), result
    assert validations.count(deep) == 2


async def test_a_document_cached_by_one_schema_is_checked_by_another() -> None:
    host = PluginHost.start(allow=[])
    open_schema = build_schema(host, introspection=True)
    closed_schema = build_schema(host, introspection=False)
    introspection = "{ __schema { queryType { name } } }"
    for _ in range(2):
        assert (await open_schema.execute(introspection)).errors is None
    refused = await closed_schema.execute(introspection)
    assert refused.errors, "introspection answered by the production schema"
