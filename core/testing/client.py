"""A real GraphQL client: httpx through the real ASGI app (no server, no mock)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.access.actions import Actor
from core.api.tenant_resolution import DEMO_ROLES_HEADER, DEMO_TENANT_HEADER


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    operations_dir: Path | None = None

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: Any = None,
        actor: Actor | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST a query. ``tenant`` is a slug or a Tenant; ``actor`` gives the roles
        (the demo resolution reads them from headers until authentication lands)."""
        all_headers = dict(headers or {})
        if tenant is not None:
            all_headers[DEMO_TENANT_HEADER] = getattr(tenant, "slug", tenant)
        if actor is not None:
            all_headers[DEMO_ROLES_HEADER] = ",".join(sorted(actor.roles))
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def operation(
        self, name: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        if self.operations_dir is None:
            raise RuntimeError("this client has no operations directory")
        return await self.execute(
            (self.operations_dir / f"{name}.graphql").read_text(encoding="utf-8"), variables, **kw
        )


def error_codes(result: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in result.get("errors") or []]
