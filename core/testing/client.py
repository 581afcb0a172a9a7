"""A real GraphQL client: httpx through the real ASGI app (no server, no mock).

Requests are signed like an API caller's: the client gives each (actor, pole) a real
account, a membership with the actor's roles and grants, and an access token, then
sends ``Authorization: Bearer …`` and ``X-Maillage-Tenant``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core.access.actions import Actor
from core.app.authn import TENANT_HEADER
from core.tenancy.models import Tenant
from core.testing.accounts import sign_in

DEFAULT_ACTOR = Actor(
    subject="test:pole-admin",
    display_name="Administratrice de test",
    roles=frozenset({"pole_admin"}),
)


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    app: Any = None
    operations_dir: Path | None = None
    _tokens: dict[tuple[Any, ...], str] = field(default_factory=dict)

    async def _tenant(self, tenant: Any) -> Tenant | None:
        if tenant is None or isinstance(tenant, Tenant):
            return tenant
        found = await self.app.state.db.tenant_by_slug(str(tenant))
        if found is None:
            raise ValueError(f"unknown tenant {tenant!r}")
        return found

    async def auth_headers(self, tenant: Any = None, actor: Actor | None = None) -> dict[str, str]:
        """Headers of a signed request: ``tenant`` (slug or Tenant) with ``actor``
        (default: a pole admin), or ``actor`` alone (a person with no pole)."""
        if tenant is None and actor is None:
            return {}
        pole = await self._tenant(tenant)
        who = actor or DEFAULT_ACTOR
        key = (who, pole.id if pole else None)
        if key not in self._tokens:
            self._tokens[key], _ = await sign_in(self.app.state.auth, who, pole)
        headers = {"authorization": f"Bearer {self._tokens[key]}"}
        if pole is not None:
            headers[TENANT_HEADER] = pole.slug
        return headers

    def forget_tokens(self) -> None:
        self._tokens.clear()

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: Any = None,
        actor: Actor | None = None,
        headers: dict[str, str] | None = None,
        expect_status: int = 200,
    ) -> dict[str, Any]:
        """POST a query as ``actor`` in ``tenant`` (slug or Tenant); neither: anonymous."""
        all_headers = {**await self.auth_headers(tenant, actor), **(headers or {})}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code == expect_status, response.text
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
