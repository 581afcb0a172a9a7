"""The printed documents' one pipeline (ARCHITECTURE, rule 6; decision 113).

A feature writes its document once, as a Jinja2 template (autoescaped) that extends
``document.html``: the pole's letterhead, the print stylesheet (A4, page numbers « Page 2
sur 5 »), the shipped font. The HTML it renders is what the screen shows and what a
browser prints; :func:`pdf` turns that same HTML into the PDF with WeasyPrint, tagged
(PDF/UA-1), A4, its font embedded. There is no second drawing of a document.

Nothing a document needs is fetched from elsewhere: the font is a file of this package
(Atkinson Hyperlegible, SIL OFL 1.1, decision 114), served to browsers under
``/static/documents/fonts/`` and handed to WeasyPrint by :class:`PackagedFetcher`, which
refuses every other address (a document renders names and notes people typed: no URL in
them may make the server fetch anything); the pole's logo travels inside the HTML as a
``data:`` URL.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from core.api.pages import date_fr, number_fr

HERE = Path(__file__).resolve().parent
FONTS_DIR = HERE / "fonts"
TEMPLATES_DIR = HERE / "templates"
# (file inside the npm package @expo-google-fonts/atkinson-hyperlegible, file shipped here)
FONT_FILES = (
    ("400Regular/AtkinsonHyperlegible_400Regular.ttf", "AtkinsonHyperlegible-Regular.ttf"),
    (
        "400Regular_Italic/AtkinsonHyperlegible_400Regular_Italic.ttf",
        "AtkinsonHyperlegible-Italic.ttf",
    ),
    ("700Bold/AtkinsonHyperlegible_700Bold.ttf", "AtkinsonHyperlegible-Bold.ttf"),
    (
        "700Bold_Italic/AtkinsonHyperlegible_700Bold_Italic.ttf",
        "AtkinsonHyperlegible-BoldItalic.ttf",
    ),
)
FONT_FAMILY = "Atkinson Hyperlegible"
FONT_URL_PREFIX = "/static/documents/fonts/"
# WeasyPrint resolves the template's root-relative URLs against this base; the name
# cannot resolve (.invalid, RFC 2606), and the fetcher answers it from the package.
BASE_URL = "https://documents.maillage.invalid/"

DEFAULT_COLOUR = "#1d4f91"
DEFAULT_ACCENT = "#e8eef7"
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

PORTRAIT = "A4"
LANDSCAPE = "A4 landscape"


@dataclass(frozen=True)
class Logo:
    content: bytes
    media_type: str  # image/png or image/jpeg, checked when it was stored

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode()}"


@dataclass(frozen=True)
class Letterhead:
    """The pole's identity at the top of each of its documents (core.domain.letterhead
    reads it from the pole's settings)."""

    name: str
    address: str = ""
    contact: str = ""
    colour: str = DEFAULT_COLOUR
    accent: str = DEFAULT_ACCENT
    logo: Logo | None = None


def css_colour(value: str, default: str = DEFAULT_COLOUR) -> str:
    """A colour goes into the stylesheet as is: only ``#rrggbb`` does (the setting is
    checked when stored; this keeps any other text out of the CSS all the same)."""
    return value if COLOUR_RE.match(value or "") else default


def day(value: Any) -> str:
    """« 06/12/2026 », the short form the documents print."""
    if not value:
        return ""
    import datetime as dt

    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


class DocumentTemplates:
    """The templates of one feature's documents (its folder first, then the shared
    ``document.html``), rendered with autoescaping."""

    def __init__(self, folder: Path) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(str(folder)), jinja2.FileSystemLoader(str(TEMPLATES_DIR))]
            ),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters.update(
            date_fr=date_fr, number_fr=number_fr, day=day, css_colour=css_colour
        )
        self.env.globals.update(
            font_family=FONT_FAMILY,
            font_url=FONT_URL_PREFIX,
            DEFAULT_ACCENT=DEFAULT_ACCENT,
        )

    def render(
        self, name: str, *, letterhead: Letterhead, page_size: str = PORTRAIT, **context: Any
    ) -> str:
        return self.env.get_template(name).render(
            letterhead=letterhead, page_size=page_size, **context
        )


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackagedFetcher(URLFetcher):
        """The shipped fonts and ``data:`` URLs (the logo), nothing else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            prefix = BASE_URL.rstrip("/") + FONT_URL_PREFIX
            if url.startswith(prefix):
                name = url.removeprefix(prefix)
                if name in {shipped for _inside, shipped in FONT_FILES}:
                    body = (FONTS_DIR / name).read_bytes()
                    return URLFetcherResponse(url, body, {"Content-Type": "font/ttf"})
            raise ValueError(f"adresse refusée dans un document : {url}")

    return PackagedFetcher()


# The shipped font has no narrow no-break space (U+202F, French thousands): the no-break
# space keeps the figure whole and in the embedded font instead of a system fallback.
_NARROW_NBSP = "\u202f"


def pdf(html: str) -> bytes:
    """The PDF of a document's HTML: A4 (the template's ``@page``), tagged PDF/UA-1,
    the font subset and embedded. CPU-bound: routes run it in a worker thread."""
    from weasyprint import HTML

    page = HTML(
        string=html.replace(_NARROW_NBSP, "\u00a0"), base_url=BASE_URL, url_fetcher=_fetcher()
    )
    buffer = io.BytesIO()
    page.write_pdf(buffer, pdf_variant="pdf/ua-1")
    return buffer.getvalue()


# What a printed document's answer carries: never cached, never indexed.
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


async def response(fmt: str, html: str, filename: str) -> Any:
    """The document as its HTML page (``fmt`` "html"), or that same HTML as PDF, made
    in a worker thread (a few hundred milliseconds of CPU that must not stall the
    event loop)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, Response

    if fmt != "pdf":
        return HTMLResponse(html, headers=HEADERS)
    content = await run_in_threadpool(pdf, html)
    return Response(
        content,
        media_type="application/pdf",
        headers={**HEADERS, "Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )
