"""``maillage serve --workers N``: N uvicorn processes share the port, each with its own
app built from the environment; a count below 1 is refused in French (exit 2)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from tests.cli.run import environment, maillage
from tests.conftest import DbUrls
from tests.live import start_server


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


def test_two_workers_answer_on_one_port(sqlite_urls: DbUrls, tmp_path: Path) -> None:
    env = environment({"MAILLAGE_DATABASE_URL": sqlite_urls.runtime})
    live = start_server(env, tmp_path, timeout=60, args=("--workers", "2"))
    process = live.process
    try:
        # Each worker runs the app: a GraphQL request answers, whichever takes it.
        for _ in range(4):
            response = httpx.post(
                f"{live.base_url}/graphql", json={"query": "{ __typename }"}, timeout=10
            )
            assert response.json() == {"data": {"__typename": "Query"}}
        workers = [
            pid
            for pid in _children(process.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 2
    finally:
        live.stop()


def test_zero_workers_is_refused_in_french(sqlite_urls: DbUrls) -> None:
    done = maillage("serve", "--workers", "0", env={"MAILLAGE_DATABASE_URL": sqlite_urls.runtime})
    assert done.returncode == 2
    assert "nombre de processus invalide" in done.stderr and "--workers" in done.stderr
