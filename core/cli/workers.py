"""``maillage serve --workers N``: N processes, each listening on its own socket.

uvicorn's own supervisor binds one socket and gives it to every worker. Each worker
then accepts every connection waiting when it wakes up: clients that connect together
(a reverse proxy's pool of keep-alive connections, a load test's clients) can all land
on one worker while the others stay idle. Measured on the issue 14 bench (32 keep-alive
clients, 2 workers): in one load of three, one worker had served every request, and the
throughput fell by a third (docs/decisions.md, 195).

Here each worker gets its own listening socket on the same address, bound with
``SO_REUSEPORT``: the kernel spreads new connections over the sockets (by a hash of the
connection's addresses), so over the workers. Everything else is uvicorn's supervisor
(health checks, restart of a dead worker, graceful stop, SIGHUP restarts, SIGTTIN and
SIGTTOU): only the three places that start a worker are written again, to give the
worker its own socket. A worker that restarts reuses its slot's socket, so nothing
waiting in that socket's queue is lost.

Linux only lets processes of the same user share a port this way.

The hash spreads connections evenly only on average: 32 keep-alive clients land 17/15,
or 20/12, and the busier worker's requests wait longer for their turn (the dashboard's
p95 125 ms at 20/12 against 107 ms at 17/15, the same throughput). So each worker
publishes how many connections it holds (a file of counters the supervisor shares with
its workers, one slot each, and how many workers there are now: SIGTTIN and SIGTTOU
change it), and a worker holding more than one connection above the
least loaded one answers its next request with ``Connection: close``: the client opens
a new connection, which the hash places again (decision 217). It converges in a few
reconnections and then closes nothing.
"""

from __future__ import annotations

import mmap
import os
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from uvicorn import Config, Server
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

# The counters' file and this worker's slot, given to each worker through its
# environment (uvicorn's workers are spawned: they inherit the environment, nothing else).
LOADS_ENV = "MAILLAGE_WORKER_LOADS"
SLOT_ENV = "MAILLAGE_WORKER_SLOT"
MAX_SLOTS = 256
# Seconds between two connections a worker closes to give them back.
CLOSE_PAUSE = 0.1
_SLOT_BYTES = 8
# The file holds a counter per slot, then how many slots are in use: the supervisor
# writes it when it starts, adds (SIGTTIN) or removes (SIGTTOU) a worker, so a worker
# compares itself with the workers there are, not with those it was started among.
_WORKERS_CELL = MAX_SLOTS
_FILE_BYTES = (MAX_SLOTS + 1) * _SLOT_BYTES


def _counters(path: Path) -> memoryview:
    """The shared counters of ``path`` (8-byte integers), mapped in this process."""
    with path.open("r+b") as file:
        return memoryview(mmap.mmap(file.fileno(), _FILE_BYTES)).cast("q")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other sockets of this user may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class BalancedProcess(Process):
    """uvicorn's worker process; in the child, its server is kept where the app's
    ``ConnectionShare`` reads how many connections it holds."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        ConnectionShare.server = self.server
        super().target(sockets)


class BalancedWorkers(Multiprocess):
    """uvicorn's supervisor, each worker on its own ``SO_REUSEPORT`` socket."""

    def __init__(self, config: Config) -> None:
        super().__init__(config, sockets=[])
        self.slots: list[socket.socket] = []
        where = "/dev/shm" if os.path.isdir("/dev/shm") else None
        handle, name = tempfile.mkstemp(prefix="maillage-workers-", dir=where)
        os.ftruncate(handle, _FILE_BYTES)
        os.close(handle)
        self.loads = Path(name)
        self.counters = _counters(self.loads)
        self._publish()

    def _publish(self) -> None:
        self.counters[_WORKERS_CELL] = min(self.processes_num, MAX_SLOTS)

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.loads.unlink(missing_ok=True)

    def process(self, slot: int) -> Process:
        """A worker for ``slot``: its socket, and its slot among the counters."""
        os.environ[LOADS_ENV] = str(self.loads)
        os.environ[SLOT_ENV] = str(slot)
        return BalancedProcess(self.config, self.socket_of(slot))

    def socket_of(self, slot: int) -> list[socket.socket]:
        """The listening socket of worker ``slot`` (bound on first use; port 0 becomes
        the port the first socket was given, for all)."""
        while len(self.slots) <= slot:
            sock = reuse_port_socket(self.config.host, self.config.port)
            if self.config.port == 0:
                self.config.port = sock.getsockname()[1]
            self.slots.append(sock)
        return [self.slots[slot]]

    def init_processes(self) -> None:
        for slot in range(self.processes_num):
            process = self.process(slot)
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:
        """uvicorn's: the replacement is ready before the old worker stops."""
        for slot, old_process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new_process = self.process(slot)
            new_process.start()
            if not new_process.wait_until_ready(
                self.config.timeout_worker_healthcheck, self.should_exit
            ):
                new_process.kill()
                new_process.join()
                return
            old_process.terminate()
            old_process.join()
            self.processes[slot] = new_process

    def keep_subprocess_alive(self) -> None:
        """uvicorn's: a hung or dead worker is replaced, on the same socket."""
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # Broken before serving (the app, the bind): every restart would fail.
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            replacement = self.process(slot)
            replacement.start()
            self.processes[slot] = replacement

    def handle_ttin(self) -> None:
        self.processes_num += 1
        process = self.process(len(self.processes))
        process.start()
        self.processes.append(process)
        self._publish()

    def handle_ttou(self) -> None:
        """uvicorn's (the last worker stops), then its socket is closed: left open in this
        process, it stayed in the port's group and the kernel kept handing it new
        connections that nobody accepted — they hung. Its slot leaves the comparison
        (its counter is stale)."""
        super().handle_ttou()
        while len(self.slots) > len(self.processes):
            self.slots.pop().close()
        self._publish()


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConnectionShare:
    """ASGI middleware of a worker of ``BalancedWorkers``: writes the number of
    connections its server holds into its slot at each request, and closes the
    connection after the response while it holds more than one above the least loaded
    worker's (see the module's docstring)."""

    server: Server | None = None  # the worker's uvicorn server (``BalancedProcess``)

    def __init__(self, app: ASGIApp, loads: Path, slot: int) -> None:
        self.app = app
        self.slot = slot
        self.counts = _counters(loads)
        self.counts[slot] = 0
        self.quiet_until = 0.0

    def over_share(self) -> bool:
        server = self.server
        if server is None:
            return False
        mine = len(server.server_state.connections)
        counts = self.counts
        counts[self.slot] = mine
        now = time.monotonic()
        if now < self.quiet_until:
            return False
        workers = counts[_WORKERS_CELL] or server.config.workers or 1
        others = [counts[i] for i in range(min(workers, MAX_SLOTS)) if i != self.slot]
        if not others or mine <= min(others) + 1:
            return False
        # One connection at a time, then a pause: a closed connection takes a moment
        # to leave the counts, and closing on every request meanwhile would shed far
        # more than the excess (measured: a thousand reconnections in ten seconds).
        self.quiet_until = now + CLOSE_PAUSE
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.over_share():
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, closing)


def shared(app: ASGIApp) -> ASGIApp:
    """``app`` with ``ConnectionShare`` when it runs in a worker of ``BalancedWorkers``
    (its environment names the counters and its slot); ``app`` itself otherwise."""
    loads, slot = os.environ.get(LOADS_ENV), os.environ.get(SLOT_ENV)
    if not loads or slot is None or not Path(loads).is_file():
        return app
    if not 0 <= int(slot) < MAX_SLOTS:  # a worker added past the counters (SIGTTIN)
        return app
    return ConnectionShare(app, Path(loads), int(slot))


def run(config: Config) -> None:
    """Serve ``config`` (an import string, ``workers`` > 1) with balanced workers."""
    BalancedWorkers(config).run()
