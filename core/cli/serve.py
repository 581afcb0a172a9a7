"""``maillage serve``: run the API with uvicorn until Ctrl-C (graceful shutdown)."""

from __future__ import annotations

import argparse

import uvicorn

from core.app.app import create_app
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
        # Only the declared proxies may name the client (X-Forwarded-For) and the
        # scheme; anyone else's headers are ignored (decision 78).
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
        server_header=False,
    )
    return 0
