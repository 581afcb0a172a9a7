"""``maillage serve``: run the API with uvicorn until Ctrl-C (graceful shutdown).

With ``--workers N`` (N > 1) N processes serve the port, each on its own socket
(``core.cli.workers``); each builds its own app (settings, plugins, pools) from the
environment through ``app_from_env``, since an app object cannot cross into another
process.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import logging
import sys
from typing import Any

import uvicorn
from starlette.applications import Starlette

from core.app.app import create_app
from core.auth import passwords
from core.cli.workers import ASGIApp, shared
from core.cli.workers import run as workers_run
from core.db.engine import require_database
from core.logs import configure_logging
from core.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="servir l'API GraphQL et l'application web",
        description="Derrière un mandataire inverse (TLS), déclarez son adresse dans "
        "MAILLAGE_FORWARDED_ALLOW_IPS : l'adresse du client (limitation des tentatives de "
        "connexion, journal de sécurité) vient alors de X-Forwarded-For.",
    )
    serve.add_argument("--host", help="adresse d'écoute (défaut : MAILLAGE_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port d'écoute (défaut : MAILLAGE_PORT, 8000)")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="nombre de processus servant l'API sur le même port (défaut : 1) ; chacun "
        "ouvre ses propres connexions à la base (taille du pool × processus)",
    )
    serve.set_defaults(func=serve_command)


def _workers(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"nombre de processus invalide : {value!r} (1 ou plus)")
    return count


def app_from_env() -> ASGIApp:
    """The app of one worker process (uvicorn's factory when --workers > 1), which
    keeps its share of the connections (``core.cli.workers.ConnectionShare``)."""
    settings = Settings.from_env()
    configure_logging(settings)
    passwords.use_profile(settings.password_profile)
    return shared(frozen_for_serving(create_app(settings)))


def frozen_for_serving(app: Starlette) -> Starlette:
    """The app, with everything built so far moved out of the garbage collector's sight,
    and the collector run less often: the schema, the plugins and the compiled
    statements live as long as the process, and a request allocates tens of thousands
    of short-lived objects, few of them in cycles. With Python's defaults (a collection
    every 700 allocations) a dashboard request cost a sixth more CPU under load
    (docs/decisions.md, 195). Errors Python cannot raise go to the log from now on
    (``_log_unraisable``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    # What the rarer collections left is finalized while the interpreter is whole, not
    # during its teardown.
    atexit.register(gc.collect)
    sys.unraisablehook = _log_unraisable
    return app


def _log_unraisable(unraisable: Any) -> None:
    """An error Python could not raise — in practice a coroutine that graphql-core
    abandoned after an error elsewhere in the document, finalized by the collector
    ("never awaited") — as one line of the server's log instead of a bare traceback on
    stderr. With the collector run less often, such a finalization may start inside a
    function compiled with no builtins (``collections.namedtuple``'s constructor), where
    the "never awaited" warning itself fails to import: the fuzz test saw those
    tracebacks in the log (docs/decisions.md, 195)."""
    error = unraisable.exc_value
    logging.getLogger("maillage.http").warning(
        "unraisable error",
        extra={
            "event": "unraisable",
            "object": repr(unraisable.object)[:200],
            "error": f"{type(error).__name__}: {error}"[:200],
            "context": (unraisable.err_msg or "")[:200],
        },
    )


def serve_command(settings: Settings, args: argparse.Namespace) -> int:
    host = args.host or settings.host
    port = args.port or settings.port
    workers = getattr(args, "workers", 1)
    # Before any worker starts: each would die on its own with a trace.
    require_database(settings.database_url)
    # One process: the app built here, with the plugins already loaded. Several: each
    # worker builds its own from the same environment (factory named by import path).
    app: Starlette | str = (
        frozen_for_serving(create_app(settings, host=args.plugins_host))
        if workers == 1
        else "core.cli.serve:app_from_env"
    )
    print(
        f"maillage sur http://{host}:{port}/ (l'application ; l'API : /graphql) "
        "— Ctrl-C pour arrêter",
        flush=True,
    )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        # Only the declared proxies may name the client (X-Forwarded-For) and the
        # scheme; anyone else's headers are ignored (decision 78).
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": list(settings.forwarded_allow_ips),
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(app, **options)
    else:
        # Each worker on its own socket of the port (core.cli.workers, decision 195).
        workers_run(uvicorn.Config(app, factory=True, workers=workers, **options))
    return 0
