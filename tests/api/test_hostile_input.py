"""A client's mistakes get a coded answer, never INTERNAL, never HTTP 500, never a
stack trace in the log (issue "Under attack", findings 3, 4, 5 and 8).

Over real HTTP against ``maillage serve`` (the demo on SQLite), where uvicorn's own
behaviour matters (bodies); through the real app on SQLite and PostgreSQL where the
database does (a NUL byte).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.live import LiveServer

COORDINATOR = "coordinator@puy-de-dome.maillage.example"


@pytest.fixture(scope="module")
def headers(demo_server: LiveServer) -> dict[str, str]:
    answer = httpx.post(
        f"{demo_server.base_url}/auth/login",
        json={"email": COORDINATOR, "password": "maillage-demo"},
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def post(demo_server: LiveServer, headers: dict[str, str], document: str, variables: Any = None):
    return httpx.post(
        f"{demo_server.base_url}/graphql",
        json={"query": document, "variables": variables},
        headers=headers,
        timeout=30,
    )


def codes(answer: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in answer.json().get("errors") or []]


# (document, variables, the variable the error must name)
BAD_VARIABLES = [
    ("query($d: Date!) { tasks(on: $d) { __typename } }", {"d": "not-a-date"}, "d"),
    ("query($d: Date!) { tasks(on: $d) { __typename } }", {"d": None}, "d"),
    ("query($d: Date!) { tasks(on: $d) { __typename } }", {"d": "2026-13-45"}, "d"),
    ("query($d: Date!) { tasks(on: $d) { __typename } }", {}, "d"),
    ("query($n: Int) { families(first: $n) { totalCount } }", {"n": "abc"}, "n"),
    ("query($n: Int) { families(first: $n) { totalCount } }", {"n": 2**40}, "n"),
    ("query($n: Int) { families(first: $n) { totalCount } }", {"n": 1.5}, "n"),
    ("query($i: ID!) { node(id: $i) { id } }", {"i": {"a": 1}}, "i"),
    ("query($i: ID!) { node(id: $i) { id } }", {"i": True}, "i"),
    (
        "query($b: Boolean) { questionnaireSendings(answered: $b) { totalCount } }",
        {"b": "yes"},
        "b",
    ),
    (
        "query($t: DateTime) { families(first: 1, updatedSince: $t) { totalCount } }",
        {"t": "yesterday"},
        "t",
    ),
    (
        "mutation($i: ConventionInput!) { createConvention(input: $i) { errors { code } } }",
        {
            "i": {
                "title": "Convention",
                "startsOn": "2026-01-01",
                "endsOn": "2026-12-31",
                "pricing": "per_inhabitant",
                "communeInsee": "63113",
                "ratePerInhabitant": "1,5",
            }
        },
        "i.ratePerInhabitant",
    ),
]


@pytest.mark.parametrize(("document", "variables", "name"), BAD_VARIABLES)
def test_a_wrong_variable_is_a_validation_error_naming_it(
    demo_server: LiveServer, headers: dict[str, str], document: str, variables: Any, name: str
) -> None:
    answer = post(demo_server, headers, document, variables)
    assert answer.status_code in {200, 400}, answer.text
    errors = answer.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"], errors
    assert errors[0]["extensions"].get("field") == name, errors


def test_the_client_s_mistakes_write_no_error_and_no_traceback_in_the_log(
    demo_server: LiveServer, headers: dict[str, str]
) -> None:
    for document, variables, _name in BAD_VARIABLES:
        post(demo_server, headers, document, variables)
    for body in MALFORMED_BODIES:
        send_raw(demo_server, headers, body)
    errors = [
        line
        for line in demo_server.settled_log().splitlines()
        if '"level": "error"' in line or "Traceback" in line
    ]
    assert errors == []


MALFORMED_BODIES = [
    b"null",
    b"42",
    b'"a string"',
    b"[]",
    b"\xff\xfe\xfd",
    b"[" * 10_000 + b"]" * 10_000,
    b'{"query": ' * 5_000 + b"1" + b"}" * 5_000,
    b'{"query": "{ __typename }", "variables": 5}',
    b'{"query": 5}',
    b'{"query": "{ __typename }", "operationName": ["x"]}',
    b"{",
]


def send_raw(demo_server: LiveServer, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(
        f"{demo_server.base_url}/graphql",
        content=body,
        headers={**headers, "content-type": "application/json"},
        timeout=30,
    )


@pytest.mark.parametrize("body", MALFORMED_BODIES, ids=lambda b: repr(b[:16]))
def test_a_malformed_body_is_a_coded_400_in_json(
    demo_server: LiveServer, headers: dict[str, str], body: bytes
) -> None:
    answer = send_raw(demo_server, headers, body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert codes(answer) == ["VALIDATION"]


def test_a_date_far_in_the_past_is_a_validation_error(
    demo_server: LiveServer, headers: dict[str, str]
) -> None:
    answer = post(demo_server, headers, '{ tasks(on: "0001-01-01") { __typename } }')
    assert codes(answer) == ["VALIDATION"], answer.text


@pytest.mark.parametrize(
    "text",
    ["nul\x00byte", "lone \ud800 surrogate"],
    ids=["nul", "surrogate"],
)
async def test_text_that_no_database_can_store_is_refused_naming_the_field(
    client: GraphQLClient, two_poles: TwoPoles, text: str
) -> None:
    """A NUL byte (PostgreSQL's text refuses it) or a lone surrogate (not Unicode) in a
    variable or a literal: VALIDATION naming where it was, nothing written."""
    document = """
      mutation($input: RequestInput!) {
        recordRequest(input: $input) { request { id } errors { code field message } }
      }"""
    body = json.dumps(
        {
            "query": document,
            "variables": {
                "input": {
                    "receivedOn": "2026-03-02",
                    "channel": "phone",
                    "requesterKind": "family",
                    "requesterName": "Famille Test",
                    "subjects": [],
                    "description": text,
                }
            },
        }
    )
    answer = await client.http.post(
        "/graphql",
        content=body.encode("utf-8", "surrogatepass"),
        headers={**await client.auth_headers(two_poles.a), "content-type": "application/json"},
    )
    data = answer.json()
    assert [e["extensions"]["code"] for e in data["errors"]] == ["VALIDATION"], data
    assert data["errors"][0]["extensions"]["field"] == "input.description"
    listed = await client.execute("{ requests(first: 5) { totalCount } }", tenant=two_poles.a)
    assert listed["data"]["requests"]["totalCount"] == 0


def test_a_failed_plugin_mutation_leaves_the_next_one_its_own_answer(
    demo_server: LiveServer, headers: dict[str, str]
) -> None:
    """Two plugin mutations in one document, the first refused: the second still runs
    and answers, and the first keeps its coded error (it once failed the whole answer
    with MissingGreenlet: the gate read plugin state the rollback had expired)."""
    answer = post(
        demo_server,
        {**headers, "x-maillage-tenant": "puy-de-dome"},
        """mutation {
          first: referentChartersRecordMeeting(
            input: { heldOn: "2026-03-02", kind: "follow_up", title: "" }
          ) { meeting { id } errors { code field } }
          second: referentChartersRecordMeeting(
            input: { heldOn: "2026-03-03", kind: "follow_up", title: "Réunion de suivi" }
          ) { meeting { id title } errors { code field } }
        }""",
    )
    body = answer.json()
    assert "errors" not in body, body
    assert body["data"]["first"]["meeting"] is None
    assert [e["code"] for e in body["data"]["first"]["errors"]] == ["VALIDATION"]
    assert body["data"]["second"]["meeting"]["title"] == "Réunion de suivi"
    assert body["data"]["second"]["errors"] == []


async def test_an_unstorable_literal_is_refused_each_time_the_document_comes(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    """The literals' check is kept per document text (decision 190): the same document
    sent again is refused again, naming the argument."""
    document = '{ __type(name: "nul\\u0000byte") { name } }'
    for _ in range(2):
        answer = await client.execute(document, tenant=two_poles.a)
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["VALIDATION"], answer
        assert answer["errors"][0]["extensions"]["field"] == "name"
