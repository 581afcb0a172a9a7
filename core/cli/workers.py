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
"""

from __future__ import annotations

import socket

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other sockets of this user may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class BalancedWorkers(Multiprocess):
    """uvicorn's supervisor, each worker on its own ``SO_REUSEPORT`` socket."""

    def __init__(self, config: Config) -> None:
        super().__init__(config, sockets=[])
        self.slots: list[socket.socket] = []

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
            process = Process(self.config, self.socket_of(slot))
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:
        """uvicorn's: the replacement is ready before the old worker stops."""
        for slot, old_process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new_process = Process(self.config, self.socket_of(slot))
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
            replacement = Process(self.config, self.socket_of(slot))
            replacement.start()
            self.processes[slot] = replacement

    def handle_ttin(self) -> None:
        self.processes_num += 1
        process = Process(self.config, self.socket_of(len(self.processes)))
        process.start()
        self.processes.append(process)


def run(config: Config) -> None:
    """Serve ``config`` (an import string, ``workers`` > 1) with balanced workers."""
    BalancedWorkers(config).run()
