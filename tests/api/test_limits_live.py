"""Limits met from the outside: the real server (``maillage serve`` on a demo install)
refuses an oversized body with 413 before reading it, with or without Content-Length,
stays healthy, and refuses a document of several operations without ``operationName``.

The big bodies go through a raw socket on purpose: the client can then watch for the
answer while it is still sending, and prove the server refused after reading a small
part of the 50 MB it was offered.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.live import DEMO_PASSWORD, LiveServer, start_demo

FIFTY_MB = 50 * 1024 * 1024
CHUNK = 64 * 1024
LIMIT = 256 * 1024  # MAILLAGE_MAX_BODY_BYTES for this server: small, to measure clearly


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_demo(tmp_path_factory.mktemp("limits"), MAILLAGE_MAX_BODY_BYTES=str(LIMIT))
    try:
        yield live
    finally:
        live.stop()


def _offer(server: LiveServer, *, chunked: bool) -> tuple[int, bytes]:
    """POST a 50 MB body to /graphql, watching for the answer after every chunk.
    Returns how many body bytes were sent before the answer came, and the answer."""
    url = urlsplit(server.base_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {FIFTY_MB}\r\n"
    sock.sendall(
        (
            f"POST /graphql HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Type: application/json\r\n{framing}\r\n"
        ).encode()
    )
    sent = 0
    payload = b"x" * CHUNK
    try:
        while sent < FIFTY_MB:
            # Past the limit, give the server a moment to answer before sending more.
            wait = 0.05 if sent == 0 else (0.02 if sent > LIMIT else 0)
            if select.select([sock], [], [], wait)[0]:
                break
            piece = f"{CHUNK:x}\r\n".encode() + payload + b"\r\n" if chunked else payload
            sock.sendall(piece)
            sent += CHUNK
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed: its answer is read below
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or not _whole(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    return sent, answer


def _whole(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def _status_and_json(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_50_mb_body_is_refused_with_413_before_it_is_read(
    server: LiveServer, chunked: bool
) -> None:
    sent, answer = _offer(server, chunked=chunked)
    assert answer, f"no answer after {sent} bytes"
    status, body = _status_and_json(answer)
    assert status == 413
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION"
    assert "volumineux" in error["message"]
    # The answer came while the client still had nearly all of the 50 MB to send
    # (the margin is for a loaded machine: the server reads what the socket buffers).
    if chunked:
        assert LIMIT <= sent <= 8 * 1024 * 1024, sent
    else:
        assert sent <= 4 * 1024 * 1024, sent  # refused on the declared length alone
    health = httpx.get(f"{server.base_url}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "http_request" in server.settled_log() and '"status": 413' in server.settled_log()


def test_a_body_under_the_limit_is_served(server: LiveServer) -> None:
    answer = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": "{ tenants { slug } }", "variables": {"pad": "x" * (LIMIT // 2)}},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["tenants"]


def _signed_in(server: LiveServer) -> dict[str, str]:
    tokens = httpx.post(
        f"{server.base_url}/auth/login",
        json={"email": "coordinator@pas-de-calais.maillage.example", "password": DEMO_PASSWORD},
        timeout=10,
    ).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_several_operations_without_operation_name_are_refused(server: LiveServer) -> None:
    headers = _signed_in(server)
    document = (
        "mutation Open { createFamily("
        'input: { name: "Famille Double", communeInsee: "62119" }) '
        "{ errors { code } } } query Look { tenants { slug } }"
    )
    answer = httpx.post(
        f"{server.base_url}/graphql", json={"query": document}, headers=headers, timeout=10
    )
    assert answer.status_code == 400, answer.text
    (error,) = answer.json()["errors"]
    assert error["extensions"]["code"] == "VALIDATION"
    assert error["extensions"]["field"] == "operationName"
    # Nothing ran: no family was opened by the refused document.
    found = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": '{ families(search: "Famille Double") { totalCount } }'},
        headers=headers,
        timeout=10,
    ).json()
    assert found["data"]["families"]["totalCount"] == 0, found
    # Named, the same document runs the chosen operation only.
    chosen = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": document, "operationName": "Look"},
        headers=headers,
        timeout=10,
    )
    assert chosen.status_code == 200 and chosen.json()["data"]["tenants"], chosen.text
