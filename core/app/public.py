"""``/p/<pole>/<plugin>/…``: a plugin's pages open without an account (decision 143).

Some of a pole's pages are for people who have no account and never will: young people
answering a quiz on their phones in a room, for instance. ``maillage_public_routes``
returns such routes; core mounts them under ``/p/<pole slug>/<plugin>/`` behind
:class:`PublicGate`, which resolves the pole from the slug in the path (an active pole
that enabled the plugin) and hands the handler a :class:`PublicPole`: sessions scoped to
that pole and no other. Nothing else reaches the handler: no actor, no cookie is read,
no platform table. A handler therefore finds only its own pole's rows, by the tenant
filter and, on PostgreSQL, by RLS: a code of another pole is simply not there.

An unknown pole, an inactive one and a pole that did not enable the plugin all get the
same French 404 page, so the address tells nothing about which poles use which module
(the list of active poles is public anyway: the ``poles`` directory).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from core.app.auth_pages import page_headers
from core.auth import throttle
from core.auth.secrets import digest
from core.plugins.state import enabled_in_session, rows_by_plugin
from core.tenancy.models import Tenant
from core.territory.names import normalize_name
from core.territory.search import MAX_QUERY_LENGTH, search_communes

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins.host import PluginHost
    from core.tenancy.database import Database

PREFIX = "/p"

_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#1b1b1b;
line-height:1.5;font-size:1.05rem}
h1{font-size:1.45rem;line-height:1.25}h2{font-size:1.15rem}
a{color:#000091}
fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.6rem .9rem}
legend{font-weight:700;padding:0 .3rem}
label.choice{display:flex;gap:.6rem;align-items:flex-start;padding:.55rem .4rem;min-height:44px;
border-radius:4px}
label.choice:hover{background:#f0f0f8}
input[type=radio],input[type=checkbox]{width:1.3rem;height:1.3rem;margin:.15rem 0 0;flex:none}
input[type=text],input[type=email],input[type=tel],select,textarea{width:100%;padding:.6rem;
font-size:1.1rem;border:1px solid #666;border-radius:4px;font-family:inherit;background:#fff}
label.field{display:block;font-weight:600;margin-top:.8rem}
.hint{color:#555;font-size:.95rem;margin:.2rem 0}
button{margin-top:1rem;padding:.8rem 1.2rem;font-size:1.1rem;background:#000091;color:#fff;
border:0;border-radius:6px;width:100%;min-height:48px;cursor:pointer}
button:focus,input:focus,select:focus,textarea:focus,a:focus{outline:3px solid #ff9940;
outline-offset:2px}
.error{background:#ffe9e9;border-left:4px solid #ce0500;padding:.6rem;margin:1rem 0}
.ok{background:#e8f5e9;border-left:4px solid #18753c;padding:.6rem;margin:1rem 0}
.code{font-size:2rem;font-weight:700;letter-spacing:.2em;font-family:ui-monospace,monospace}
.note{color:#555;font-size:.9rem;margin-top:1.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
"""


def public_page(title: str, body: str, status: int = 200, *, lang: str = "fr") -> HTMLResponse:
    """A page for people without an account: one column for a phone, large controls,
    no script, nothing from elsewhere. ``body`` is HTML the caller escaped."""
    html = (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers=page_headers(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'"
        ),
    )


NOT_FOUND_BODY = (
    "<p>Cette adresse ne mène à aucune page. Vérifiez le lien ou le code affiché dans la "
    "salle, ou demandez-le à la personne qui anime.</p>"
)


def not_found() -> HTMLResponse:
    return public_page("Page introuvable", NOT_FOUND_BODY, 404)


@dataclass(frozen=True)
class PublicPole:
    """The pole a public page belongs to, as its handler sees it
    (``request.state.pole``): its id, slug and name, its département, the plugin's
    settings in this pole (defaults included), and sessions scoped to it."""

    tenant_id: uuid.UUID
    slug: str
    name: str
    db: Database
    departement_code: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)

    def session(self) -> AsyncSession:
        """A session of this pole only (the tenant filter, and RLS on PostgreSQL)."""
        return self.db.session(self.tenant_id)

    async def find_communes(self, typed: str, *, limit: int = 6) -> list[tuple[str, str]]:
        """The communes of the pole's département a person means by ``typed`` (a name,
        an INSEE or postal code), best first, as core's forms search them:
        ``[(insee_code, name), …]``. An exact name comes alone."""
        async with self.db.reference_session() as session:
            page = await search_communes(
                session, typed[:MAX_QUERY_LENGTH], departement=self.departement_code, limit=limit
            )
        wanted = normalize_name(typed)
        exact = [c for c in page.items if c.search_name == wanted or c.insee_code == typed.strip()]
        return [(c.insee_code, c.name) for c in (exact[:1] if len(exact) == 1 else page.items)]

    async def take_place(
        self, form: str, address: str | None, *, limit: int, window: dt.timedelta
    ) -> PostPlace:
        """Count one post of ``form`` from the client ``address`` in this pole; past
        ``limit`` posts a ``window``, RATE_LIMITED (decision 204). The count is in the
        database (core's sign-in counters: every app process counts together) under a
        digest of the address, never the address itself. Give the place back with
        :meth:`give_back` when the post was refused for a mistake."""
        key = f"public:{self.tenant_id}:{form}:{digest(address or 'unknown')}"
        async with self.db.reference_session() as session:
            start = await throttle.take(session, key, limit, window, dt.datetime.now(dt.UTC))
        return PostPlace(key, start)

    async def give_back(self, place: PostPlace) -> None:
        async with self.db.reference_session() as session:
            await throttle.release(session, place.key, place.window_start)
            await session.commit()


@dataclass(frozen=True)
class PostPlace:
    """One counted post (:meth:`PublicPole.take_place`)."""

    key: str
    window_start: dt.datetime


class PublicGate:
    """In front of one plugin's public routes: the pole from the path, or 404."""

    def __init__(self, app: ASGIApp, *, name: str, db: Database, host: PluginHost) -> None:
        self.app, self.name, self.db, self.host = app, name, db, host

    async def _pole(self, slug: str) -> PublicPole | None:
        if not slug or len(slug) > 100:
            return None
        async with self.db.reference_session() as session:
            tenant = (
                await session.execute(
                    select(Tenant).where(Tenant.slug == slug, Tenant.active.is_(True))
                )
            ).scalar()
        if tenant is None:
            return None
        async with self.db.session(tenant.id) as session:
            if self.name not in await enabled_in_session(self.host, session):
                return None
            row = (await rows_by_plugin(session)).get(self.name)
        manifest = self.host.manifest(self.name)
        settings = manifest.with_defaults(row.settings if row else {}) if manifest else {}
        return PublicPole(
            tenant.id, tenant.slug, tenant.name, self.db, tenant.departement_code, settings
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        slug = str(scope.get("path_params", {}).get("pole", ""))
        pole = await self._pole(slug)
        if pole is None:
            await not_found()(scope, receive, send)
            return
        scope.setdefault("state", {})["pole"] = pole
        await self.app(scope, receive, send)


async def _unmatched(scope: Scope, receive: Receive, send: Send) -> None:
    await not_found()(scope, receive, send)


def pole_of(request: Request) -> PublicPole:
    pole: PublicPole = request.state.pole
    return pole


def public_mounts(db: Database, host: PluginHost) -> list[BaseRoute]:
    """``/p/{pole}/<name>/…`` for each plugin with public routes, behind the gate."""
    mounts: list[BaseRoute] = []
    for name in sorted(host.plugins):
        groups: list[Any] = host.plugin_caller("maillage_public_routes", name)()
        flat = [route for group in groups for route in (group or [])]
        if flat:
            gated = PublicGate(Router(routes=flat, default=_unmatched), name=name, db=db, host=host)
            mounts.append(Mount(f"{PREFIX}/{{pole}}/{name}", app=gated))
    return mounts
