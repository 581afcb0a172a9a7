"""The real server, from the outside: ``maillage demo setup`` builds a database, then
``maillage serve`` runs in a child process on a free port, its log in a file.

Tests that use it meet the app the way a person or an operator does: over a real
socket, through uvicorn, with the process's own settings and log. Nothing here
reaches into the app's objects.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.testing.postgres import PgUrls, PostgresServer
from tests import warm

ROOT = Path(__file__).resolve().parents[1]
MAILLAGE = Path(sys.executable).with_name("maillage")
DEMO_PASSWORD = "maillage-demo"
DEMO_CACHE_VARIABLE = "TESTS_DEMO_CACHE"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_environment(workdir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a demo install living in ``workdir`` (SQLite, demo mode,
    JSON log), on top of the test process's own (PATH, PostgreSQL test URL…)."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The suite's password profile (core/testing/pytest_plugin.py) is kept.
        if not key.startswith("MAILLAGE_")
        or key in {"MAILLAGE_TEST_POSTGRES_URL", "MAILLAGE_PASSWORD_PROFILE"}
    }
    env.update(
        {
            "MAILLAGE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'maillage.sqlite3'}",
            "MAILLAGE_TENANTS_DIR": str(ROOT / "tenants"),
            "MAILLAGE_VAR_DIR": str(workdir),
            "MAILLAGE_LOG_FORMAT": "json",
            "MAILLAGE_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def run_cli(env: Mapping[str, str], *args: str, cwd: Path | None = None) -> str:
    """Run ``maillage <args>`` as an operator would; fail with its output if it fails."""
    done = warm.run(args, env=env, cwd=cwd, timeout=300)
    if done.returncode != 0:
        raise AssertionError(
            f"maillage {' '.join(args)} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    return done.stdout


@dataclass
class LiveServer:
    """A running ``maillage serve``; ``log_path`` holds everything it wrote."""

    base_url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | warm.Started = field(repr=False)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def settled_log(self, *, quiet: float = 0.3, timeout: float = 10.0) -> str:
        """The log once the server has stopped writing for ``quiet`` seconds: a request's
        log line is written after its answer is sent, so the last one may still be on
        its way when the client has its answer."""
        deadline = time.monotonic() + timeout
        size = -1
        while time.monotonic() < deadline:
            current = self.log_path.stat().st_size
            if current == size:
                break
            size = current
            time.sleep(quiet)
        return self.log_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    env: Mapping[str, str], workdir: Path, *, timeout: float = 90.0, args: Sequence[str] = ()
) -> LiveServer:
    """Start ``maillage serve`` on a free port (``args`` added, e.g. ``--workers 2``) and
    wait until /healthz answers.

    The process is forked warm (tests/warm.py: the imports done once per test process),
    but with ``--workers``: its supervisor then starts its workers as the installed
    script does, from the script, cold."""
    port = free_port()
    env = {"MAILLAGE_PUBLIC_URL": f"http://127.0.0.1:{port}", **env}
    log_path = workdir / f"serve-{port}.log"
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), *args]
    process: subprocess.Popen[bytes] | warm.Started
    with log_path.open("wb") as log:
        if "--workers" in args:
            process = subprocess.Popen(
                [str(MAILLAGE), *command],
                env=dict(env),
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        else:
            process = warm.start(command, env=env, cwd=workdir, output=log)
    server = LiveServer(f"http://127.0.0.1:{port}", dict(env), log_path, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            code = process.returncode
            raise AssertionError(f"maillage serve exited {code}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"maillage serve did not answer in {timeout} s:\n{server.log_text()}")


def _demo_cache() -> Path:
    """One folder per test run, shared by its xdist workers: tests/conftest.py names it
    in the run's base temporary folder (which pytest removes with old runs)."""
    named = os.environ.get(DEMO_CACHE_VARIABLE)
    if named:
        return Path(named)
    return Path(tempfile.gettempdir()) / f"maillage-demo-{os.getuid()}-{os.getpid()}"


# Settings read by ``maillage serve`` alone, never by ``demo setup``: two servers that
# differ only by these share one demo database (one build fewer, 10 s of CPU each).
SERVING_ONLY = frozenset(
    {
        "MAILLAGE_MAX_BODY_BYTES",
        "MAILLAGE_DB_POOL_SIZE",
        "MAILLAGE_DB_MAX_OVERFLOW",
        "MAILLAGE_METRICS_TOKEN",
        "MAILLAGE_LOG_FORMAT",
        "MAILLAGE_LOG_LEVEL",
    }
)


def _demo_key(env: Mapping[str, str], workdir: Path, ignored: frozenset[str] = frozenset()) -> str:
    """What a demo database depends on: the environment with the folder's own path taken
    out, without the settings that only shape how the server serves."""
    relevant = sorted(
        (key, value.replace(str(workdir), "<workdir>"))
        for key, value in env.items()
        if (key.startswith("MAILLAGE_") or key == "PYTHONPATH")
        and key not in SERVING_ONLY | ignored
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


def demo_setup(env: Mapping[str, str], workdir: Path) -> None:
    """``maillage demo setup`` for an install in ``workdir``, run for real once per test
    run and per environment, then copied.

    The command takes 15 s on an idle machine and a minute under the suite's load; a
    dozen modules each serve a fresh demo. The first of them runs the command (behind
    a file lock, across xdist workers) in a folder of its own and every other copies
    what it left: the same SQLite file the command writes, for an environment equal
    but for the folder. On PostgreSQL, ``start_demo_on_postgres`` copies a database
    the same way. tests/test_demo.py runs the command itself, never this copy."""
    database = f"sqlite+aiosqlite:///{workdir / 'maillage.sqlite3'}"
    if env.get("MAILLAGE_DATABASE_URL") != database:
        run_cli(env, "demo", "setup", cwd=workdir)
        return
    key = _demo_key(env, workdir)
    cache = _demo_cache()
    cache.mkdir(parents=True, exist_ok=True)
    built = cache / key
    with (cache / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "done").exists():
            shutil.rmtree(built, ignore_errors=True)
            # What the test put in its folder first (a plugin's metadata on PYTHONPATH)
            shutil.copytree(workdir, built)
            template_env = {
                name: value.replace(str(workdir), str(built)) for name, value in env.items()
            }
            run_cli(template_env, "demo", "setup", cwd=built)
            (built / "done").write_text("")
    for path in built.iterdir():
        if path.is_file() and path.name.startswith("maillage.sqlite3"):
            shutil.copyfile(path, workdir / path.name)


def start_demo(workdir: Path, **overrides: str) -> LiveServer:
    """A fresh demo install (both demo poles, their accounts) served from ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = demo_environment(workdir, **overrides)
    demo_setup(env, workdir)
    # 60 s as the concurrency suite's server: on a loaded 2-core machine the app takes
    # more than 30 s to import and build its schema and pages.
    return start_server(env, workdir, timeout=60)


def postgres_overrides(runtime: str, owner: str, platform: str) -> dict[str, str]:
    """Environment of an install on PostgreSQL, one URL per role as in production: the
    application connects as the runtime role (RLS applies), migrations as the owner."""
    return {
        "MAILLAGE_DATABASE_URL": runtime,
        "MAILLAGE_MIGRATION_DATABASE_URL": owner,
        "MAILLAGE_PLATFORM_DATABASE_URL": platform,
    }


async def start_demo_on_postgres(
    pg_server: PostgresServer, workdir: Path, prefix: str, **overrides: str
) -> LiveServer:
    """A fresh demo install on a database of its own on the test PostgreSQL server: a
    copy (``CREATE DATABASE … TEMPLATE``) of the demo database built once a run per
    environment, as ``demo_setup`` copies the SQLite file. ``workdir`` exists."""
    urls = await _postgres_demo(pg_server, workdir, prefix, **overrides)
    env = demo_environment(
        workdir, **postgres_overrides(urls.runtime, urls.owner, urls.platform), **overrides
    )
    return start_server(env, workdir, timeout=60)


# The demo databases this process built on PostgreSQL, dropped when its server closes.
_POSTGRES_DEMOS: list[tuple[Path, str]] = []
_URLS = frozenset(
    {"MAILLAGE_DATABASE_URL", "MAILLAGE_MIGRATION_DATABASE_URL", "MAILLAGE_PLATFORM_DATABASE_URL"}
)


async def _postgres_demo(
    pg_server: PostgresServer, workdir: Path, prefix: str, **overrides: str
) -> PgUrls:
    """A copy of the run's demo database for these settings on ``pg_server``, built by
    the first test that asks (behind a file lock, across xdist workers) and never
    connected to afterwards, so that it can be copied."""
    key = _demo_key(demo_environment(workdir, **overrides), workdir, _URLS)
    server = pg_server.admin_url.render_as_string(hide_password=True)
    key = hashlib.sha256(f"{key} {server}".encode()).hexdigest()[:16]
    cache = _demo_cache()
    cache.mkdir(parents=True, exist_ok=True)
    marker = cache / f"postgres-{key}"
    with (cache / f"postgres-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            urls = await pg_server.create_database(prefix="maillage_demo")
            pg_server.keep(urls.database)
            _POSTGRES_DEMOS.append((marker, urls.database))
            built = cache / f"postgres-{key}-home"
            built.mkdir(exist_ok=True)
            env = demo_environment(
                built, **postgres_overrides(urls.runtime, urls.owner, urls.platform), **overrides
            )
            run_cli(env, "demo", "setup", cwd=built)
            marker.write_text(urls.database)
        # Copied under the lock: the worker that built it drops it under the lock too.
        return await pg_server.create_database(prefix=prefix, template=marker.read_text())


async def drop_postgres_demos(pg_server: PostgresServer) -> None:
    """Drop the demo databases this process built (the other workers' copies are made:
    one that asks later builds it again)."""
    while _POSTGRES_DEMOS:
        marker, name = _POSTGRES_DEMOS.pop()
        with (marker.parent / f"{marker.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            marker.unlink(missing_ok=True)
            await pg_server.drop_database(name)
