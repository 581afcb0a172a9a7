"""The browser suite's fixtures: Debian's Chromium driven by Playwright, one real demo
server for the whole suite, and a second site (another host) for the forgeries.

Playwright comes from PyPI (its wheel carries the driver); the browser is the system's
``/usr/bin/chromium`` (``make test-deps`` installs it), never one Playwright downloads.
The flags keep Chromium from reaching outside this machine (updates, sync, QUIC…).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import IN_CI
from tests.live import DEMO_PASSWORD, ROOT, LiveServer, start_demo

CHROMIUM = Path(os.environ.get("MAILLAGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Another *site*, not only another origin: an IP host is its own site, so 127.0.0.2 is
# cross-site for pages of 127.0.0.1 (another port would only be cross-origin).
OTHER_SITE_HOST = "127.0.0.2"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the suite. Absent: skipped on a workstation, a failure in CI.

    Package-scoped, not session-scoped: Playwright's sync API keeps an event loop
    running in the main thread while it lives, and the async tests that run after
    this folder need that thread's loop for themselves."""
    if not os.access(CHROMIUM, os.X_OK):
        if IN_CI:
            pytest.fail(f"CI=true and no Chromium at {CHROMIUM}: run make test-deps")
        pytest.skip(f"no Chromium at {CHROMIUM}: run make test-deps")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh profile (no cookie) per test; French, as the people using it."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def install_sample_plugin(site: Path) -> str:
    """What ``pip install`` leaves for the tutorial's plugin (tests/plugins/lending): its
    distribution's metadata with the ``maillage.plugins`` entry point; the code itself is
    importable from the checkout. Returns the ``PYTHONPATH`` that sees both. Installed on
    the suite's server but enabled only by its own tests (test_plugin_on_family_page)."""
    dist = site / "maillage_lending_sample-1.0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: maillage-lending-sample\nVersion: 1.0.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[maillage.plugins]\nlending = tests.plugins.lending.plugin\n"
    )
    return f"{site}{os.pathsep}{ROOT}"


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("browser-demo")
    server = start_demo(workdir, PYTHONPATH=install_sample_plugin(workdir / "site"))
    try:
        yield server
    finally:
        server.stop()


@dataclass
class OtherSite:
    """A site on another host serving the pages a test gives it."""

    base_url: str
    pages: dict[str, str] = field(default_factory=dict)

    def serve(self, path: str, html: str) -> str:
        self.pages[path] = html
        return f"{self.base_url}{path}"


@pytest.fixture(scope="package")
def other_site() -> Iterator[OtherSite]:
    site = OtherSite("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            html = site.pages.get(self.path)
            body = (html or "absent").encode()
            self.send_response(200 if html else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((OTHER_SITE_HOST, 0), Handler)
    site.base_url = f"http://{OTHER_SITE_HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


class Api:
    """A staff member's GraphQL over HTTP (bearer token), to prepare and check."""

    def __init__(self, live: LiveServer, email: str) -> None:
        self.http = httpx.Client(base_url=live.base_url, timeout=30)
        self.email = email
        self.sign_in()

    def sign_in(self) -> None:
        signed = self.http.post(
            "/auth/login", json={"email": self.email, "password": DEMO_PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        self.http.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"

    def __call__(self, query: str, **variables: object) -> dict[str, object]:
        answer = self.http.post("/graphql", json={"query": query, "variables": variables})
        if answer.status_code == 401:
            # The package's browser tests outlast an access token: sign in again, as a
            # client does when its token has expired.
            self.sign_in()
            answer = self.http.post("/graphql", json={"query": query, "variables": variables})
        body = answer.json()
        assert answer.status_code == 200 and "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="package")
def coordinator_api(live: LiveServer) -> Iterator[Api]:
    api = Api(live, "coordinator@puy-de-dome.maillage.example")
    try:
        yield api
    finally:
        api.http.close()


SEND = """mutation($q: ID!, $subject: ID!) {
  sendQuestionnaire(input: { questionnaireId: $q, subjectKind: "follow_up", subjectId: $subject }) {
    link sending { id } errors { code field message } } }"""
CLOSED_FOLLOW_UPS = "{ followUps(first: 100) { edges { node { id status { value } } } } }"
SATISFACTION = "{ questionnaires { edges { node { id key } } } }"


@dataclass(frozen=True)
class Link:
    """A questionnaire sent about a closed follow-up: its link and its sending."""

    questionnaire_id: str
    sending_id: str
    url: str

    @property
    def path(self) -> str:
        return "/q/" + self.url.rsplit("/q/", 1)[1]


def send_link(api: Api) -> Link:
    """What a staff member does at a follow-up's close: send the satisfaction
    questionnaire (to the first closed follow-up of the demo that has none yet)."""
    questionnaires = api(SATISFACTION)["questionnaires"]["edges"]  # type: ignore[index]
    satisfaction = next(
        e["node"]["id"] for e in questionnaires if e["node"]["key"] == "satisfaction"
    )
    follow_ups = api(CLOSED_FOLLOW_UPS)["followUps"]["edges"]  # type: ignore[index]
    for edge in follow_ups:
        if edge["node"]["status"]["value"] != "closed":
            continue
        sent = api(SEND, q=satisfaction, subject=edge["node"]["id"])["sendQuestionnaire"]
        if not sent["errors"]:  # type: ignore[index]
            return Link(satisfaction, sent["sending"]["id"], sent["link"])  # type: ignore[index]
    raise AssertionError("no closed follow-up left in the demo to send a questionnaire about")
