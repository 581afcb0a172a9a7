"""``maillage serve``: run the API with uvicorn until Ctrl-C (graceful shutdown)."""

from __future__ import annotations

import argparse

import uvicorn

from core.api.app import create_app
from core.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="servir l'API GraphQL")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=serve_command)


def serve_command(settings: Settings, args: argparse.Namespace) -> int:
    host = args.host or settings.host
    port = args.port or settings.port
    app = create_app(settings, host=args.plugins_host)
    print(f"maillage sur http://{host}:{port}/graphql (Ctrl-C pour arrêter)", flush=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        proxy_headers=True,
        server_header=False,
    )
    return 0
