"""``maillage <command>`` in a child process forked from one that has already imported
the command: the suite runs a few hundred commands, and each real start paid five
seconds of CPU to import the engine, its plugins and their GraphQL types before doing
anything (decision 213).

The child is still a process of its own, run as an operator's would be: its
arguments, its environment (replaced whole), its working folder, its standard input,
output and error (files this process reads back), its exit code; ``main()`` builds its
settings and its plugins from that environment exactly as the installed script does.
What it shares with its siblings is what the import left behind, nothing a command
writes. The entry point itself (the script, ``--version``, a terminal, ``serve``) is
tested by real starts: tests/cli/test_parser.py, test_progress.py, tests/live.py.

One warm process per test process, started at its first command, gone with it: it
listens on a Unix socket; for each command it forks a keeper, which forks the command
and reports its process id, then its exit status.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
_HEADER = struct.Struct("!I")


# --- the warm process ------------------------------------------------------------------


def _preload() -> None:
    """What every command imports: the engine, the plugins, their command lines."""
    from core.cli.main import build_parser
    from core.plugins.host import PluginHost
    from core.settings import Settings

    build_parser(PluginHost.from_settings(Settings.from_env({})))
    importlib.import_module("core.app.app")


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = conn.recv(size - len(chunks))
        if not chunk:
            raise EOFError("the test process hung up")
        chunks += chunk
    return chunks


def _run_command(request: dict[str, object], fds: list[int]) -> None:
    """In the forked child: become the command's process, run it, exit with its code."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(str(request["cwd"]))
    # PYTHONPATH as the interpreter reads it at start: its folders first (a plugin's
    # metadata installed by a test, another checkout).
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:0] = [p for p in extra if p not in sys.path]
    importlib.invalidate_caches()
    if env.get("PYTHONUNBUFFERED"):  # as ``python -u`` makes them: each write reaches the file
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            raw = open(stream.fileno(), "wb", buffering=0, closefd=False)  # noqa: SIM115
            setattr(
                sys,
                name,
                io.TextIOWrapper(
                    raw, encoding=stream.encoding, errors=stream.errors, write_through=True
                ),
            )
    args = [str(a) for a in request["args"]]  # type: ignore[attr-defined]
    sys.argv = [str(Path(sys.executable).with_name("maillage")), *args]
    code = 1
    try:
        from core.cli.main import main

        code = main(args)
    except SystemExit as exc:  # argparse: --help, a usage error
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:  # what the interpreter would print before exiting 1
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()  # logging flushes its handlers, as at a real exit
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _keep(conn: socket.socket) -> None:
    """In the keeper: fork the command, say its pid, wait, say its exit status."""
    _, fds, _, _ = socket.recv_fds(conn, 1, 3)
    (size,) = _HEADER.unpack(_read_exactly(conn, _HEADER.size))
    request = json.loads(_read_exactly(conn, size))
    pid = os.fork()
    if pid == 0:
        conn.close()
        _run_command(request, fds)
    for fd in fds:
        os.close(fd)
    conn.sendall(f"{pid}\n".encode())
    _, status = os.waitpid(pid, 0)
    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())


def serve(path: str, parent: int) -> None:
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    listener.settimeout(1.0)
    print("ready", flush=True)
    while os.getppid() == parent:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:  # keepers that are done
                pass
        except ChildProcessError:
            pass
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            listener.close()
            try:
                _keep(conn)
            finally:
                os._exit(0)
        conn.close()


# --- the test process's side -----------------------------------------------------------


class _Warm:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[str] | None = None
        self.path = ""

    def socket_path(self) -> str:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                folder = tempfile.mkdtemp(prefix="maillage-warm-")
                self.path = str(Path(folder) / "socket")
                env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
                env["PYTHONPATH"] = os.pathsep.join(
                    p for p in (str(ROOT), env.get("PYTHONPATH")) if p
                )
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "tests.warm", self.path, str(os.getpid())],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert self.process.stdout is not None
                ready = self.process.stdout.readline()
                if ready.strip() != "ready":
                    raise RuntimeError(f"the warm maillage did not start: {ready!r}")
                atexit.register(self.process.terminate)
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
            return self.path


_WARM = _Warm()


def _send(
    args: Sequence[str], env: Mapping[str, str], cwd: Path | str | None, fds: list[int]
) -> tuple[socket.socket, IO[bytes], int]:
    """Ask the warm process for ``maillage *args`` on these standard streams: the
    connection its exit status will come on, and the command's process id."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(_WARM.socket_path())
    request = json.dumps({"args": list(args), "env": dict(env), "cwd": str(cwd or os.getcwd())})
    socket.send_fds(conn, [b"F"], fds)
    body = request.encode()
    conn.sendall(_HEADER.pack(len(body)) + body)
    answers = conn.makefile("rb")
    return conn, answers, int(answers.readline())


def run(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``maillage *args`` as :func:`subprocess.run` would give it (text, captured)."""
    with (
        tempfile.TemporaryFile() as stdin,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
    ):
        if input is not None:
            stdin.write(input.encode())
            stdin.seek(0)
        command = Started(
            *_send(args, env, cwd, [stdin.fileno(), stdout.fileno(), stderr.fileno()])
        )
        try:
            status = command.wait(timeout)
        except subprocess.TimeoutExpired:
            command.kill()
            raise
        return subprocess.CompletedProcess(
            ["maillage", *args], status, _text(stdout), _text(stderr)
        )


def start(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path | str, output: IO[bytes]
) -> Started:
    """``maillage *args`` left running (``serve``), its output and errors in ``output``:
    a handle with what the tests use of :class:`subprocess.Popen`."""
    with open(os.devnull, "rb") as stdin:
        return Started(*_send(args, env, cwd, [stdin.fileno(), output.fileno(), output.fileno()]))


class Started:
    """A command forked warm: its process id, its exit status once it has one."""

    def __init__(self, conn: socket.socket, answers: IO[bytes], pid: int) -> None:
        self.conn, self.answers, self.pid = conn, answers, pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.conn.settimeout(timeout)
            started = time.monotonic()
            try:
                line = self.answers.readline()
            except TimeoutError:
                waited = time.monotonic() - started
                raise subprocess.TimeoutExpired(["maillage"], waited) from None
            # Nothing at all: the keeper itself died (killed with the warm process).
            self.returncode = int(line) if line.strip() else -signal.SIGKILL
            self.conn.close()
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.conn], [], [], 0)[0]:
            return self.wait()
        return self.returncode

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # gone: its status is on its way
                os.kill(self.pid, number)


def _text(output: IO[bytes]) -> str:
    """What ``subprocess.run(text=True)`` reads: universal newlines, the locale's UTF-8."""
    output.seek(0)
    return output.read().decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
