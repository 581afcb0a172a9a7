"""Hostile input from the committed schema: every answer is coded, none is INTERNAL.

hypothesis-graphql draws documents from ``graphql/schema.graphql`` — valid ones
(every query and mutation, nested selections, literals of every type, including NUL
and odd Unicode) and invalid ones (one schema violation each). Each drawn document
is then sent as it is, or with its arguments moved into variables, some of them
replaced by values of the wrong JSON type; signed in as one of the demo accounts of
each role, to the real server (``maillage serve``) on SQLite and on PostgreSQL.

Every answer must be: HTTP below 500, no error coded INTERNAL, no stack trace, SQL,
path or Python class name in the body; and the server's log must hold no error and
no traceback once the run is over.

``make test`` runs a short run (``MAILLAGE_FUZZ_EXAMPLES``, 60 per database by
default); ``make test-deep`` runs 5,000 per database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from core.access.roles import NETWORK_ROLES, ROLES
from core.testing.postgres import PostgresServer
from tests.live import DEMO_PASSWORD, LiveServer, start_demo, start_demo_on_postgres

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = graphql.build_schema((ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8"))
EXAMPLES = int(os.environ.get("MAILLAGE_FUZZ_EXAMPLES", "60"))
POLE = "puy-de-dome"

# What an answer must never show: a stack, SQL, a file path, a Python class name.
LEAKS = re.compile(
    r"Traceback|File \"|site-packages|/work/|\.py\b|sqlalchemy|asyncpg|aiosqlite|sqlite3"
    r"|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|\bDELETE FROM\b"
    r"|\b\w+(?:Error|Exception)\b|<\w+ object at 0x"
)

# Values of our custom scalars, as literals: valid ones, edge ones and plain junk.
SCALARS = {
    # Mostly plausible values, so that documents get past the door and reach the
    # services; now and then the edges and junk.
    "Date": st.one_of(
        st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "", "demain"]),
    ).map(nodes.String),
    "DateTime": st.one_of(
        st.datetimes(dt.datetime(2015, 1, 1), dt.datetime(2030, 12, 31)).map(
            lambda d: d.isoformat() + "+01:00"
        ),
        st.sampled_from(["2026-03-01T10:00:00+01:00", "0001-01-01T00:00:00", "hier"]),
    ).map(nodes.String),
    "Decimal": st.one_of(
        st.decimals(-1000, 1000, places=2).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["1,5", "1e999999", "-0", "0.0000001"]),
    ).map(nodes.String),
    "JSON": st.sampled_from(["{}", "[]", "null", "1"]).map(nodes.String),
}


# JSON values of any type, to put where a variable of another type is expected.
def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    _containers,
    max_leaves=8,
)


def as_variables(document: str, draw: Any) -> tuple[str, dict[str, Any]]:
    """Move each top-level argument's literal into a variable of the argument's type;
    now and then give that variable a junk value instead of the literal's."""
    ast = graphql.parse(document)
    type_info = graphql.TypeInfo(SCHEMA)
    definitions: list[graphql.VariableDefinitionNode] = []
    variables: dict[str, Any] = {}

    class Lift(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            arg_type = type_info.get_input_type()
            if arg_type is None or not draw(st.booleans()):
                return graphql.SKIP
            name = f"v{len(definitions)}"
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                    type=graphql.parse_type(str(arg_type)),
                )
            )
            if draw(st.integers(0, 4)) == 0:
                variables[name] = draw(JUNK)
            else:
                variables[name] = graphql.value_from_ast_untyped(node.value)
            return graphql.ArgumentNode(
                name=node.name, value=graphql.VariableNode(name=graphql.NameNode(value=name))
            )

    lifted = graphql.visit(ast, graphql.TypeInfoVisitor(type_info, Lift()))
    operation = lifted.definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    operation = graphql.OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    return graphql.print_ast(graphql.DocumentNode(definitions=(operation,))), variables


def tokens(server: LiveServer) -> dict[str, str]:
    """An access token for the demo account of each role: in the pole, or, for the
    national network's roles (held by the account, never by a membership), in none."""
    found = {}
    for role in ROLES:
        email = f"{role.replace('_', '-')}@{POLE}.maillage.example"
        where = {} if role in NETWORK_ROLES else {"pole": POLE}
        answer = httpx.post(
            f"{server.base_url}/auth/login",
            json={"email": email, "password": DEMO_PASSWORD, **where},
            timeout=30,
        )
        assert answer.status_code == 200, (role, answer.text)
        found[role] = answer.json()["access_token"]
    return found


def check(answer: httpx.Response, sent: str, seen: Counter[str]) -> None:
    assert answer.status_code < 500, (answer.status_code, sent, answer.text[:500])
    body = answer.text
    leak = LEAKS.search(body)
    assert leak is None, (leak.group(0) if leak else None, sent, body[:500])
    payload = answer.json()
    codes = [(e.get("extensions") or {}).get("code") for e in payload.get("errors") or []]
    assert "INTERNAL" not in codes, (sent, body[:800])
    seen[f"HTTP {answer.status_code}"] += 1
    seen.update(str(code) for code in set(codes))
    if os.environ.get("MAILLAGE_FUZZ_SHOW"):
        print(answer.status_code, [e["message"][:90] for e in payload.get("errors") or []])
    if not codes:
        seen["no error"] += 1
    assert all(codes), ("an error without a code", sent, body[:500])


def fuzz(server: LiveServer) -> None:
    keys = tokens(server)
    seen: Counter[str] = Counter()
    client = httpx.Client(base_url=server.base_url, timeout=60)
    documents = st.one_of(
        from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.POSITIVE),
        from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not os.environ.get("MAILLAGE_FUZZ_RANDOM"),
        database=None,
        phases=[Phase.generate],  # no shrinking: a failure prints the document as sent
        suppress_health_check=list(HealthCheck),
    )
    @given(document=documents, role=st.sampled_from(sorted(keys)), data=st.data())
    def run(document: str, role: str, data: st.DataObject) -> None:
        variables: dict[str, Any] = {}
        if data.draw(st.booleans()):
            # A negative document may not parse: it is then sent as drawn.
            with contextlib.suppress(graphql.GraphQLError):
                document, variables = as_variables(document, data.draw)

        def send() -> httpx.Response:
            return client.post(
                "/graphql",
                json={"query": document, "variables": variables},
                headers={"authorization": f"Bearer {keys[role]}", "x-maillage-tenant": POLE},
            )

        answer = send()
        if answer.status_code == 401:
            # Access tokens are short-lived and a long run outlives them: sign in again
            # (a fuzzed mutation may also have ended the session), then send it again.
            keys.update(tokens(server))
            answer = send()
        check(answer, f"{role}: {document} {variables}", seen)

    try:
        run()
    finally:
        client.close()
    # The figures of the run (pytest -s shows them; the closing notes quote them).
    print(f"\nfuzz {server.base_url}: {dict(sorted(seen.items()))}")
    log = server.settled_log()
    bad = [line for line in log.splitlines() if '"level": "error"' in line or "Traceback" in line]
    assert bad == [], "\n".join(bad[:5])


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_demo(tmp_path_factory.mktemp("fuzz-sqlite"))
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def postgres_server(
    pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    server = await start_demo_on_postgres(
        pg_server,
        tmp_path_factory.mktemp("fuzz-postgres"),
        "maillage_fuzz",
    )
    yield server
    server.stop()


def test_fuzzed_documents_get_coded_answers_on_sqlite(sqlite_server: LiveServer) -> None:
    fuzz(sqlite_server)


@pytest.mark.postgres
def test_fuzzed_documents_get_coded_answers_on_postgres(postgres_server: LiveServer) -> None:
    fuzz(postgres_server)
