"""``maillage serve --workers N``: N uvicorn processes share the port, each with its own
app built from the environment; a count below 1 is refused in French (exit 2)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.cli.run import MAILLAGE, environment, free_port, maillage
from tests.conftest import DbUrls


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_two_workers_answer_on_one_port(sqlite_urls: DbUrls) -> None:
    port = free_port()
    process = subprocess.Popen(
        [MAILLAGE, "serve", "--workers", "2", "--port", str(port)],
        env=environment({"MAILLAGE_DATABASE_URL": sqlite_urls.runtime}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "maillage serve --workers 2 stopped"
            assert time.monotonic() < deadline, "maillage serve --workers 2 did not answer"
            time.sleep(0.2)
        # Each worker runs the app: a GraphQL request answers, whichever takes it.
        for _ in range(4):
            response = httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=10
            )
            assert response.json() == {"data": {"__typename": "Query"}}
        workers = [
            pid
            for pid in _children(process.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 2
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_zero_workers_is_refused_in_french(sqlite_urls: DbUrls) -> None:
    done = maillage("serve", "--workers", "0", env={"MAILLAGE_DATABASE_URL": sqlite_urls.runtime})
    assert done.returncode == 2
    assert "nombre de processus invalide" in done.stderr and "--workers" in done.stderr
