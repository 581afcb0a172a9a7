"""One guard for every HTML form of the app: a form posted from another site is
refused (login CSRF, forged questionnaire answers…), a form from our own pages passes
in every browser.

Following OWASP's CSRF Prevention Cheat Sheet (Fetch Metadata headers, with the
Origin/Referer check as the fallback it requires), the way Go's
``http.CrossOriginProtection`` does it:

1. ``Sec-Fetch-Site`` (sent by every current browser to https and loopback): only
   ``same-origin`` and ``none`` (the person typed or bookmarked it) pass; ``same-site``
   (another port or sub-domain) and ``cross-site`` are refused.
2. Without it (an older browser, or plain http on a network address): ``Origin`` must be
   ours; ``null`` is refused. Our pages send ``Referrer-Policy: same-origin``, so a browser
   posts them with their real origin.
3. Without either, ``Referer`` (if sent) must be ours; with none of the three it is not a
   browser's form (curl, a script) and passes: such a caller forges nothing for anyone.

Cookie-authenticated GraphQL keeps its own check (``X-CSRF-Token``, core.app.authn).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from core.errors import ForbiddenError

FETCH_SITES_ALLOWED = frozenset({"same-origin", "none"})
REFUSED = (
    "Envoi refusé : ce formulaire vient d'un autre site. Ouvrez la page depuis "
    "l'adresse de maillage et renvoyez-le."
)


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def our_origins(request: Request) -> set[str]:
    """The public address the operator configured, and the one this request reached
    (the same behind a proxy that keeps Host and the scheme)."""
    ours = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    public = _origin_of(request.app.state.settings.public_url)
    if public:
        ours.add(public)
    return ours


def from_our_pages(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.strip().lower() in FETCH_SITES_ALLOWED
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.strip().lower() in our_origins(request)
    referer = request.headers.get("referer")
    if referer is not None:
        return _origin_of(referer) in our_origins(request)
    return True


def refuse_other_sites(request: Request) -> None:
    """Raise FORBIDDEN (field ``origin``) for a form posted from another site."""
    if not from_our_pages(request):
        raise ForbiddenError(REFUSED, field="origin")
