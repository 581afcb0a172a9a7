"""No page shows or changes another pole's records, probed over real HTTP against the
demo server, every plugin enabled in both poles.

Signed in to the Puy-de-Dôme pole, the crawler walks its pages from every screen of the
app and collects each link and each form that carries a record's id (a family, a
follow-up, a loan, an invoice…). Signed in to the Pas-de-Calais pole, the prober then
asks for those addresses and sends those forms (``make test``: three of each shape, every
shape; ``make test-deep``: every one): each answers « not found » and shows nothing of
the other pole, and the audit trails of both poles say nothing was written. The routes
come from the app's own router: a route with an id in its path that no link led to
fails the test, as does a page of the app the crawler could not reach — a new screen is
probed from the day it is added."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import httpx
import pytest
from starlette.routing import BaseRoute, Mount, Route

from core.api.ids import try_uuid
from core.api.pickers import SEARCH_BUTTON
from core.app.app import create_app
from core.settings import Settings
from tests.live import DEMO_PASSWORD, LiveServer, run_cli, start_demo

OWNER = "puy-de-dome"  # whose records are asked for
PROBER = "pas-de-calais"  # who asks
# Each pole's file enables two plugins; the other two are enabled here, so that a
# plugin's page answers « not found » for the record, not for the plugin.
ENABLED_HERE = {
    OWNER: ("handisitting", "snu_sessions"),
    PROBER: ("referent_charters", "udaf_workshops"),
}
# Path parameters that name no record of a pole.
NOT_RECORDS = frozenset({"format", "year"})
# Routes outside the signed-in staff app, reached by a token or a pole's public code
# rather than a session, each tested by its own suite.
OUTSIDE = {
    "/q/{token}": "a questionnaire's single-use link (tests/browser/test_questionnaire_form)",
    "/auth/oidc/{pole}/login": "sign-in through a pole's identity provider (tests/auth)",
    "/auth/oidc/{pole}/callback": "sign-in through a pole's identity provider (tests/auth)",
    "/p/{pole}/snu_sessions/": "public page of a pole, by its slug (tests/plugins/snu_sessions)",
    "/p/{pole}/snu_sessions/{code}": "public page of a session, by its code",
    "/p/{pole}/handisitting/candidature": "a pole's public application form, by its slug "
    "(tests/plugins/handisitting/test_public_application)",
    "/p/{pole}/handisitting/candidature/envoyee": "its confirmation, by the pole's slug",
}
# The roles whose pages are walked: the coordinator's daily work, the pole admin's
# (its members), a sitter's own pages (handisitting).
ROLES = ("coordinator", "pole-admin", "sitter")
# Pages of the network, above the poles (network roles sit on the account, decision
# 151): not a pole's records.
NETWORK_PAGES = {
    path: "the network's pages (tests/network)"
    for path in (
        "/reseau",
        "/reseau/comparaison.csv",
        "/reseau/comparaison.xlsx",
        "/reseau/synthese",
        "/reseau/synthese.pdf",
        "/reseau/publications",
    )
}
# Addresses the crawler does not open as the owner: leaving the session, documents it
# need not render (their links are still probed).
NOT_CRAWLED = re.compile(r"^/(auth|graphql|static|reports|plugins)/|\.(pdf|csv|xlsx|docx)$")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# The engine's answers to a form it did not read (a stale token, another site).
UNEXAMINED = ("Session changée", "Envoi refusé")
# How much of it: ``make test`` opens two addresses per route and set of query
# parameters and replays three of each shape of address and form (every route and every
# form's shape still probed); ``make test-deep`` opens six and replays them all.
DEEP = os.environ.get("MAILLAGE_HYPOTHESIS_PROFILE") == "deep"
MAX_PER_SHAPE = 6 if DEEP else 2  # addresses opened per route and set of query parameters
MAX_PAGES = 600
PROBES_PER_SHAPE = None if DEEP else 3  # addresses, forms replayed per shape


@dataclass(frozen=True)
class Known:
    """A route of the app's router: its path template and whether it is a page."""

    template: str
    regex: re.Pattern[str]
    page: bool
    params: tuple[str, ...]


def app_routes(live: LiveServer) -> list[Known]:
    """Every route of the app the server runs, mounts flattened, in the router's order."""
    app = create_app(Settings.from_env(live.env))

    def walk(routes: list[BaseRoute], prefix: str) -> Iterator[Known]:
        for route in routes:
            if isinstance(route, Mount):
                # A plugin's routes sit behind its gate, a static folder has none.
                inner = getattr(route.app, "routes", None)
                gated = getattr(route.app, "app", None)
                inner = inner if inner is not None else getattr(gated, "routes", None)
                if inner is not None:  # a static folder has no routes
                    yield from walk(inner, prefix + route.path)
            elif isinstance(route, Route):
                template = prefix + route.path
                params = tuple(re.findall(r"{(\w+)(?::\w+)?}", template))
                escaped = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
                pattern = re.sub(r"{\w+:path}", "(.+)", escaped)
                pattern = re.sub(r"{\w+}", "([^/]+)", pattern)
                page = route.endpoint.__module__ == "core.app.pages.engine"
                yield Known(template, re.compile(f"^{pattern}$"), page, params)

    return list(walk(app.routes, ""))


def route_of(routes: list[Known], path: str) -> Known | None:
    return next((r for r in routes if r.regex.match(path)), None)


def route_ids(url: str, routes: list[Known]) -> set[uuid.UUID]:
    """The records an address names in its path."""
    path = urlsplit(url).path
    route = route_of(routes, path)
    if route is None:
        return set()
    values = route.regex.match(path).groups()  # type: ignore[union-attr]
    return {
        got
        for name, value in zip(route.params, values, strict=True)
        if name not in NOT_RECORDS and (got := try_uuid(value.split(".")[0]))
    }


def record_ids(url: str, routes: list[Known]) -> set[uuid.UUID]:
    """The records an address names: its path's id parameters and its query's values
    that are ids (a plain UUID or the API's global id)."""
    query = parse_qsl(urlsplit(url).query)
    return route_ids(url, routes) | {got for _, value in query if (got := try_uuid(value))}


def without_ids(url: str) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if try_uuid(v) is None]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class PageParser(HTMLParser):
    """The links, the forms that post (with what they would send) and the heading."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.h1 = ""
        self._in_h1 = False
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(a.get("action", ""))
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind not in {"checkbox", "radio", "file"} or "checked" in a:
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("name") and a["name"] != SEARCH_BUTTON:
            # A browser sends the one button pressed: a picker's « Chercher » asks for its
            # list again and writes nothing (decision 196); the probe presses the others.
            self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = a.get("name")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._form is not None and self._select:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self._form.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea:
            self._form.fields.append((self._textarea, ""))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def signed_in(live: LiveServer, role: str, pole: str) -> httpx.Client:
    client = httpx.Client(base_url=live.base_url, timeout=60)
    answer = client.post(
        "/auth/login",
        data={"email": f"{role}@{pole}.maillage.example", "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert found, "the layout carries the session's form token"
    return found.group(1)


@dataclass
class Crawl:
    """What the owner's pages showed: each address that names records, with its
    heading, and each form that sends a record's id."""

    addresses: dict[str, str] = field(default_factory=dict)
    forms: list[tuple[str, Form]] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    refused: dict[str, int] = field(default_factory=dict)


def crawl(client: httpx.Client, routes: list[Known], start: list[str]) -> Crawl:
    found = Crawl()
    queue = [*start, "/"]
    queue += [r.template for r in routes if r.page and not r.params and r.template != "/"]
    seen: set[str] = set()
    shapes: Counter[tuple[str, frozenset[str]]] = Counter()
    opened = 0
    while queue and opened < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        route = route_of(routes, parts.path)
        if url in seen or route is None:
            continue
        seen.add(url)
        ids = record_ids(url, routes)
        if ids:
            found.addresses.setdefault(url, "")
        shape = (route.template, frozenset(k for k, _ in parse_qsl(parts.query)))
        if NOT_CRAWLED.search(parts.path) or shapes[shape] >= MAX_PER_SHAPE:
            continue
        shapes[shape] += 1
        answer = client.get(url)
        opened += 1
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            found.refused.setdefault(route.template, answer.status_code)
            continue
        found.reached.add(route.template)
        parser = PageParser()
        parser.feed(answer.text)
        if ids:
            found.addresses[url] = " ".join(parser.h1.split())
        for form in parser.forms:
            action = urljoin(url, form.action or url).split("#")[0]
            target = route_of(routes, urlsplit(action).path)
            sends_ids = any(try_uuid(value) for _, value in form.fields)
            if target is not None and target.page and (record_ids(action, routes) or sends_ids):
                found.forms.append((action, form))
        for href in parser.links:
            target = urljoin(f"{client.base_url}{url}", href.split("#")[0])
            if target.startswith(str(client.base_url)):
                queue.append(target.removeprefix(str(client.base_url)).rstrip("?") or "/")
    for source, parameter, address in DERIVED.values():
        for url in list(found.addresses):
            parts = urlsplit(url)
            named = dict(parse_qsl(parts.query)).get(parameter)
            if parts.path == source and named:
                derived = address.format(quote(named, safe=""))
                assert client.get(derived).status_code == 200, derived  # the owner's own
                found.addresses[derived] = ""
                break
    return found


# What the demo lacks in the owner's pole, written first through the API: a reception
# plan (on the page of its child's follow-up) and a sitter's document (on the sitter's
# page). The crawl starts from those pages.
MISSING = """query { followUps(first: 1) { edges { node { id child { id } } } }
  structures(first: 1) { edges { node { id } } }
  handisitting { documentKinds { value } sitters(first: 1) { edges { node { id } } } } }"""
WRITE_PLAN = """mutation($input: WriteReceptionPlanInput!) { writeReceptionPlan(input: $input) {
  errors { code field message } } }"""
ADD_DOCUMENT = """mutation($input: HandisittingAddDocumentInput!) {
  handisittingAddDocument(input: $input) { errors { code field message } } }"""
PDF = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
# Documents that no page of the demo links to, asked for from a page that names their
# record: the template, the crawled page that names it, its query parameter holding
# the id, the address built from it.
DERIVED = {
    "/plugins/handisitting/releves/{id}.{format}": (
        "/handisitting/demande",
        "id",
        "/plugins/handisitting/releves/{}.html?annee=2026",
    ),
}


def graphql(client: httpx.Client, query: str, **variables: object) -> dict[str, Any]:
    answer = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"X-CSRF-Token": csrf_of(client)},
    ).json()
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


def fill_in(owner: httpx.Client) -> list[str]:
    """Write what the demo lacks; the pages to start the crawl from."""
    found = graphql(owner, MISSING)
    follow_up = found["followUps"]["edges"][0]["node"]
    structure = found["structures"]["edges"][0]["node"]["id"]
    content = {"needs": "Repères visuels (fictif).", "writtenOn": dt.date.today().isoformat()}
    plan = graphql(
        owner,
        WRITE_PLAN,
        input={"childId": follow_up["child"]["id"], "structureId": structure, "content": content},
    )
    assert plan["writeReceptionPlan"]["errors"] == [], plan
    sitter = found["handisitting"]["sitters"]["edges"][0]["node"]["id"]
    document = {
        "sitterId": sitter,
        "kind": found["handisitting"]["documentKinds"][0]["value"],
        "issuedOn": dt.date.today().isoformat(),
        "filename": "piece.pdf",
        "contentBase64": PDF,
    }
    added = graphql(owner, ADD_DOCUMENT, input=document)
    assert added["handisittingAddDocument"]["errors"] == [], added
    return [f"/suivis/{follow_up['id']}", f"/handisitting/intervenant?{urlencode({'id': sitter})}"]


AUDITED_WRITES = """query($actor: String!, $since: DateTime!) {
  auditEvents(actor: $actor, since: $since, first: 100) {
    edges { node { action objectType } } } }"""


def writes_by(live: LiveServer, pole: str, actor: str, since: str) -> list[dict[str, str]]:
    """What the pole's audit trail recorded of ``actor`` since ``since``, reads (and the
    prober's own sign-in) aside."""
    admin = httpx.Client(base_url=live.base_url, timeout=60)
    try:
        token = admin.post(
            "/auth/login",
            json={"email": f"pole-admin@{pole}.maillage.example", "password": DEMO_PASSWORD},
        ).json()["access_token"]
        answer = admin.post(
            "/graphql",
            json={"query": AUDITED_WRITES, "variables": {"actor": actor, "since": since}},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    finally:
        admin.close()
    assert "errors" not in answer, answer
    events = [e["node"] for e in answer["data"]["auditEvents"]["edges"]]
    return [e for e in events if e["action"] not in {"read", "security.login"}]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # The same environment as the other demo servers: the demo database is built once a
    # run for all of them (tests/live.py, demo_setup).
    server = start_demo(tmp_path_factory.mktemp("isolation-demo"))
    try:
        for pole, plugins in ENABLED_HERE.items():
            for plugin in plugins:
                run_cli(server.env, "plugin", "enable", plugin, "--tenant", pole)
        yield server
    finally:
        server.stop()


def main_of(html: str) -> str:
    found = re.search(r"<main\b.*?</main>", html, re.S)
    return found.group(0) if found else html


def sampled(items: Iterable[tuple[str, Any]], routes: list[Known]) -> Iterator[tuple[str, Any]]:
    """At most PROBES_PER_SHAPE of the (address, value) pairs per shape: the route, the
    query's parameters and, for a form, the names of its fields."""
    seen: Counter[tuple[object, ...]] = Counter()
    for url, value in items:
        parts = urlsplit(url)
        route = route_of(routes, parts.path)
        fields = tuple(sorted({k for k, _ in value.fields})) if isinstance(value, Form) else ()
        shape = (
            route and route.template,
            tuple(sorted(k for k, _ in parse_qsl(parts.query))),
            fields,
        )
        seen[shape] += 1
        if PROBES_PER_SHAPE is None or seen[shape] <= PROBES_PER_SHAPE:
            yield url, value


@dataclass
class Probe:
    """What one role's probe found: the other pole's addresses and forms that answered
    anything but « not found » (or a refusal), and what was covered."""

    actor: str
    crawl: Crawl
    shown: dict[str, str] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)


def probe(live: LiveServer, routes: list[Known], role: str, since: str) -> Probe:
    """Crawl the owner's pages as its ``role``, then ask for all of it as the prober's."""
    owner = signed_in(live, role, OWNER)
    prober = signed_in(live, role, PROBER)
    try:
        found = crawl(owner, routes, fill_in(owner) if role == "coordinator" else [])
        csrf = csrf_of(prober)
        actor = prober.post(
            "/graphql", json={"query": "{ viewer { subject } }"}, headers={"X-CSRF-Token": csrf}
        ).json()["data"]["viewer"]["subject"]
        result = Probe(actor, found)
        for url, heading in sampled(found.addresses.items(), routes):
            answer = prober.get(url)
            body = main_of(answer.text)
            if answer.status_code == 200 and not route_ids(url, routes):
                # A form an id only fills in (« record a request for this family »):
                # the other pole's id must change nothing in it.
                if body != main_of(prober.get(without_ids(url)).text):
                    result.shown[url] = f"the form differs with the id: {heading}"
            elif answer.status_code != 404 or (heading and heading in body):
                result.shown[url] = f"{answer.status_code}: {heading}"
            elif any(str(i) in body for i in record_ids(url, routes)):
                result.shown[url] = "an id of the other pole in the answer"
        for action, form in sampled(found.forms, routes):
            fields = [(k, csrf if k == "csrf" else v) for k, v in form.fields]
            answer = prober.post(action, content=urlencode(fields), headers=FORM)
            if answer.status_code not in {400, 403, 404}:
                where = answer.headers.get("location", "")
                result.accepted[action] = f"{answer.status_code} {where}"
            elif any(sign in answer.text for sign in UNEXAMINED):
                result.accepted[action] = "refused before it was read: the probe proves nothing"
    finally:
        owner.close()
        prober.close()
    return result


def test_no_page_shows_or_changes_another_poles_records(demo: LiveServer) -> None:
    routes = app_routes(demo)
    since = dt.datetime.now(dt.UTC).isoformat()
    probes = [probe(demo, routes, role, since) for role in ROLES]

    assert {p.actor: p.shown for p in probes if p.shown} == {}, "another pole's record answered"
    assert {p.actor: p.accepted for p in probes if p.accepted} == {}, "a form was accepted"
    for pole in (OWNER, PROBER):
        for p in probes:
            assert writes_by(demo, pole, p.actor, since) == [], (pole, p.actor)
    addresses = [u for p in probes for u in p.crawl.addresses]
    probed = {route_of(routes, urlsplit(u).path).template for u in addresses}  # type: ignore[union-attr]
    with_ids = {r.template for r in routes if set(r.params) - NOT_RECORDS}
    assert with_ids - probed - set(OUTSIDE) == set(), "routes with an id no link led to"
    reached = {t for p in probes for t in p.crawl.reached}
    pages = {r.template for r in routes if r.page}
    assert pages - reached - set(NETWORK_PAGES) == set(), "pages the crawler never reached"
    # The probe did ask: families, follow-ups, loans, invoices… and their forms.
    forms = sum(len(p.crawl.forms) for p in probes)
    assert len(addresses) > 200 and forms > 100, (len(addresses), forms)
