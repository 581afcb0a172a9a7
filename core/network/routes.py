"""The network's public address: ``/.well-known/maillage-network-keys.json``, the
install's Ed25519 public keys that sign its poles' releases (decision 183), so that the
network's install can check a key it is asked to trust against the exporting install's
own site rather than only against a value passed by hand. Public, like any JWKS."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.network.signed import install_public_keys

KEYS_PATH = "/.well-known/maillage-network-keys.json"


async def network_keys(request: Request) -> Response:
    async with request.app.state.db.reference_session() as session:
        keys = await install_public_keys(session)
    return JSONResponse(
        keys,
        headers={
            "Cache-Control": "public, max-age=300",
            "Content-Type": "application/jwk-set+json",
        },
    )


def network_routes() -> list[BaseRoute]:
    return [Route(KEYS_PATH, network_keys, methods=["GET"])]
