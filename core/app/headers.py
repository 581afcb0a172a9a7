"""Security headers on every response, set in one place.

The reports (``/reports/*.html``) carry health data and the API answers with a
person's record: neither may be framed, sniffed into another type or load anything
from elsewhere. A route that needs a looser policy (the GraphiQL page runs its own
scripts) sets its own ``Content-Security-Policy``, which this middleware keeps; every
other header is added only when the route did not set it.

HSTS only in production: the demo runs on plain http://127.0.0.1, where a browser
that remembered HSTS for the host would refuse it afterwards.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Nothing from elsewhere, no script, no frame; inline styles for the printable pages
# (their stylesheet is in the page), images of our own or https (a kit's photo).
DEFAULT_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"

BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.defaults = {**BASE_HEADERS, "content-security-policy": DEFAULT_CSP}
        if production:
            self.defaults["strict-transport-security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.defaults.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
