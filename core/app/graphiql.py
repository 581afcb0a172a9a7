"""GraphiQL, served whole by the app: its page, and its files under ``/static/graphiql/``.

The files are the npm registry's packages at the versions pinned in
``assets/graphiql/package.json`` (and its lock), copied into the package by
``make graphiql-assets`` and committed, so that a plain ``pip install`` and the
container image carry them and the IDE works on a network with no internet. The page
has no inline script, so its Content-Security-Policy allows scripts from the app only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from core.app.authn import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE

STATIC_DIR = Path(__file__).with_name("static") / "graphiql"
PREFIX = "/static/graphiql"

# (npm package, file inside the package, name served here). Order matters for scripts:
# React first, GraphiQL (which reads the React global), then its explorer plugin.
VENDOR: tuple[tuple[str, str, str], ...] = (
    ("react", "umd/react.production.min.js", "react.production.min.js"),
    ("react-dom", "umd/react-dom.production.min.js", "react-dom.production.min.js"),
    ("graphiql", "graphiql.min.js", "graphiql.min.js"),
    ("graphiql", "graphiql.min.css", "graphiql.min.css"),
    ("@graphiql/plugin-explorer", "dist/index.umd.js", "plugin-explorer.umd.js"),
    ("@graphiql/plugin-explorer", "dist/style.css", "plugin-explorer.css"),
)
# Our own: the start-up script (reads the CSRF cookie, runs GraphiQL) and the page's layout.
OWN = ("maillage-graphiql.js", "maillage-graphiql.css")

# 'unsafe-inline' styles: GraphiQL and CodeMirror set style attributes on their elements;
# its fonts are data: URLs inside graphiql.min.css. Scripts: the app's files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _assets(ext: str) -> list[str]:
    return [served for _, _, served in VENDOR if served.endswith(ext)] + [
        own for own in OWN if own.endswith(ext)
    ]


def ide_html(*, signed_in: bool) -> str:
    styles = "".join(f'<link rel="stylesheet" href="{PREFIX}/{name}">' for name in _assets(".css"))
    scripts = "".join(f'<script src="{PREFIX}/{name}"></script>' for name in _assets(".js"))
    account = (
        '<a href="/auth/logout">Se déconnecter</a>'
        if signed_in
        else '<a href="/auth/login?next=/graphql">Se connecter</a>'
    )
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>GraphiQL — maillage</title>{styles}</head><body>"
        f'<header class="maillage-bar"><strong>maillage</strong> · API GraphQL {account}</header>'
        f'<div id="graphiql" data-csrf-cookie="{escape(CSRF_COOKIE)}" '
        f'data-csrf-header="{escape(CSRF_HEADER)}">Chargement de GraphiQL…</div>'
        "<noscript>GraphiQL a besoin de JavaScript ; l'API répond aussi à "
        "<code>POST /graphql</code>.</noscript>"
        f"{scripts}</body></html>"
    )


def ide_response(request: Request) -> HTMLResponse:
    return HTMLResponse(
        ide_html(signed_in=SESSION_COOKIE in request.cookies),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
        },
    )


def static_mount() -> Mount:
    return Mount(PREFIX, app=StaticFiles(directory=STATIC_DIR), name="graphiql-static")
