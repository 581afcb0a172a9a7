"""The documents' pipeline itself (core.api.documents): the shipped font is the npm
package's, served to browsers; a long document numbers its pages « Page n sur N »; the
text people typed is escaped, and nothing in a document can make the server fetch an
address (the renderer reads only the package's fonts and data: URLs)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.api.documents import FONT_FILES, FONTS_DIR, DocumentTemplates, Letterhead, pdf
from core.testing.client import GraphQLClient
from tests.conftest import IN_CI
from tests.pdf import read

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "fonts"
PACKAGE = ASSETS / "node_modules" / "@expo-google-fonts" / "atkinson-hyperlegible"


def test_the_shipped_font_is_the_pinned_package_s() -> None:
    pinned = json.loads((ASSETS / "package.json").read_text(encoding="utf-8"))["dependencies"]
    lock = json.loads((ASSETS / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for package, version in pinned.items():
        assert lock[f"node_modules/{package}"]["version"] == version
        assert lock[f"node_modules/{package}"]["integrity"].startswith("sha512-")
    assert {p.name for p in FONTS_DIR.iterdir()} == {s for _, s in FONT_FILES} | {"OFL.txt"}
    assert "SIL Open Font License" in (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    if not (ASSETS / "node_modules" / ".installed-stamp").exists():
        if IN_CI:
            pytest.fail("CI=true and assets/fonts/node_modules is missing: make test-deps")
        pytest.skip("assets/fonts/node_modules missing: make test-deps")
    for inside, shipped in FONT_FILES:
        assert (FONTS_DIR / shipped).read_bytes() == (PACKAGE / inside).read_bytes(), (
            f"{shipped} differs from the package's {inside}: run make document-fonts"
        )


async def test_the_font_is_served_to_the_browser_s_print(client: GraphQLClient) -> None:
    served = await client.http.get("/static/documents/fonts/AtkinsonHyperlegible-Bold.ttf")
    assert served.status_code == 200
    assert served.content == (FONTS_DIR / "AtkinsonHyperlegible-Bold.ttf").read_bytes()
    assert (await client.http.get("/static/documents/fonts/../__init__.py")).status_code == 404


@pytest.fixture
def templates(tmp_path: Path) -> DocumentTemplates:
    (tmp_path / "long.html").write_text(
        '{% extends "document.html" %}{% block title %}{{ title }}{% endblock %}'
        "{% block body %}<h1>{{ title }}</h1>{% for i in range(rows) %}"
        "<p>Ligne {{ i }} : {{ note }}</p>{% endfor %}{% endblock %}",
        encoding="utf-8",
    )
    return DocumentTemplates(tmp_path)


def test_a_long_document_numbers_every_page(templates: DocumentTemplates) -> None:
    html = templates.render(
        "long.html", letterhead=Letterhead(name="Pôle Essai"), title="Long", rows=150, note="."
    )
    facts = read(pdf(html))
    assert facts.pages >= 3 and facts.is_a4() and facts.sizes[0][0] < facts.sizes[0][1]
    for page in range(1, facts.pages + 1):
        assert f"Page {page} sur {facts.pages}" in facts.text


def test_a_table_crossing_pages_prints_its_total_once_under_its_last_row(tmp_path: Path) -> None:
    # A repeated footer printed « Total » at the foot of every page the table crossed,
    # under rows that did not add up to it. The header repeats; the total does not.
    (tmp_path / "table.html").write_text(
        '{% extends "document.html" %}{% block title %}T{% endblock %}{% block body %}'
        "<table><thead><tr><th>Commune</th><th>Enfants</th></tr></thead><tbody>"
        "{% for i in range(120) %}<tr><th>Commune {{ i }}</th><td>1</td></tr>{% endfor %}"
        "</tbody><tfoot><tr><th>Total général</th><td>120</td></tr></tfoot></table>"
        "{% endblock %}",
        encoding="utf-8",
    )
    html = DocumentTemplates(tmp_path).render("table.html", letterhead=Letterhead(name="Pôle"))
    facts = read(pdf(html))
    assert facts.pages >= 3
    assert facts.text.count("Total général") == 1
    assert facts.text.count("Enfants") == facts.pages
    assert facts.text.index("Commune 119") < facts.text.index("Total général")


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording every request it receives."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()


def test_typed_text_is_escaped_and_fetches_nothing(
    templates: DocumentTemplates, listener: tuple[str, list[str]]
) -> None:
    url, seen = listener
    hostile = (
        f'<img src="{url}/img.png"><link rel="stylesheet" href="{url}/x.css">'
        f'<style>@import "{url}/y.css";</style><img src="file:///etc/hostname">'
    )
    html = templates.render(
        "long.html",
        letterhead=Letterhead(name=hostile, colour="red;}"),
        title=hostile,
        rows=1,
        note=hostile,
    )
    assert f'<img src="{url}' not in html and f'href="{url}' not in html
    assert "&lt;img src=" in html and "--pole: #1d4f91" in html
    facts = read(pdf(html))
    assert "<img src=" in facts.text  # printed as the text it is
    assert facts.images == []
    # Even a template that links out (a bug) fetches nothing.
    raw = html.replace("</body>", f'<img src="{url}/raw.png" alt=""></body>')
    read(pdf(raw))
    assert seen == []


def test_poppler_reads_the_pdf_as_tagged_a4_and_renders_every_page(
    templates: DocumentTemplates, tmp_path: Path
) -> None:
    """A second reader than pypdf: poppler's pdfinfo and pdftoppm (make test-deps)."""
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None:
        if IN_CI:
            pytest.fail("CI=true and poppler-utils is missing: make test-deps")
        pytest.skip("poppler-utils missing: make test-deps")
    html = templates.render(
        "long.html", letterhead=Letterhead(name="Pôle Essai"), title="Essai", rows=90, note="."
    )
    path = tmp_path / "essai.pdf"
    path.write_bytes(pdf(html))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes" and "(A4)" in fields["Page size"]
    assert fields["Title"].strip() == "Essai — Pôle Essai"
    pages = int(fields["Pages"])
    rendered = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rendered.returncode == 0 and rendered.stderr == "", rendered.stderr
    assert len(list(tmp_path.glob("page-*.png"))) == pages >= 2
