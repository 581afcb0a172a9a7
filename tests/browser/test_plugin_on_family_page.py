"""The tutorial's plugin installed as an integrator installs one (a distribution with
its entry point, tests/browser/conftest.py) and enabled on a demo pole, against the real
server: it lends to a family and a child of its pole over HTTP, answers another pole's
family NOT_FOUND exactly as core does, and a coordinator sees its rows on the family's
page and on the plugin's own page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Api
from tests.browser.test_web_app import COORDINATOR, OTHER_POLE, serious_violations, signed_in
from tests.live import LiveServer, run_cli

FAMILIES = """query($s: String) { families(search: $s, first: 5) {
  edges { node { id name children { id firstName } } } } }"""
LEND = """mutation($f: ID!, $c: ID, $item: String!) {
  lendingRecordLoan(familyId: $f, childId: $c, item: $item, lentOn: "2026-11-02") {
    loan { id } errors { code field message } } }"""
ADD_CHILD = """mutation($f: ID!) {
  addChild(input: { familyId: $f, firstName: "Zoé", birthDate: "2020-01-01" }) {
    errors { code field message } } }"""
ITEM = "Verticalisateur (prêt de test)"
SHOWN = "Casque anti-bruit (prêt à voir)"


@pytest.fixture(scope="module")
def lending_live(live: LiveServer) -> Iterator[LiveServer]:
    """The suite's demo server (the plugin is installed there), with the plugin enabled
    for the Puy-de-Dôme pole while this module runs: the other tests see the pole as it
    was (enabling is per request, disabling keeps the data)."""
    run_cli(live.env, "plugin", "enable", "lending", "--tenant", "puy-de-dome")
    try:
        yield live
    finally:
        run_cli(live.env, "plugin", "disable", "lending", "--tenant", "puy-de-dome")


def _family(api: Api, search: str) -> dict[str, object]:
    edges = api(FAMILIES, s=search)["families"]["edges"]  # type: ignore[index]
    return next(e["node"] for e in edges if e["node"]["children"])  # type: ignore[no-any-return]


def test_lends_over_http_and_refuses_another_poles_family_as_core_does(
    lending_live: LiveServer,
) -> None:
    mine, theirs = Api(lending_live, COORDINATOR), Api(lending_live, OTHER_POLE)
    try:
        family = _family(mine, "Durand")
        child = family["children"][0]["id"]  # type: ignore[index]
        lent = mine(LEND, f=family["id"], c=child, item=ITEM)["lendingRecordLoan"]
        assert lent["errors"] == [] and lent["loan"]["id"]  # type: ignore[index]

        other = _family(theirs, "")
        core = mine(ADD_CHILD, f=other["id"])["addChild"]["errors"]  # type: ignore[index]
        refused = mine(LEND, f=other["id"], item="Casque")["lendingRecordLoan"]
        assert core == [
            {"code": "NOT_FOUND", "field": "familyId", "message": "introuvable dans ce pôle"}
        ]
        assert refused == {"loan": None, "errors": core}
    finally:
        mine.http.close()
        theirs.http.close()


def test_the_familys_page_shows_the_plugins_panel(
    browser: Browser, lending_live: LiveServer
) -> None:
    api = Api(lending_live, COORDINATOR)
    try:
        family = _family(api, "Durand")
        lent = api(LEND, f=family["id"], item=SHOWN)["lendingRecordLoan"]
        assert lent["errors"] == []  # type: ignore[index]
    finally:
        api.http.close()
    page = signed_in(browser, lending_live, COORDINATOR)
    try:
        page.goto(f"{lending_live.base_url}/familles?recherche=Durand")
        page.get_by_role("link", name="Famille Durand").first.click()
        panel = page.get_by_role("region", name="Matériel prêté")
        expect(panel).to_contain_text(SHOWN)
        assert serious_violations(page) == []

        page.get_by_role("link", name="Prêts").click()
        expect(page.locator("h1")).to_have_text("Prêts de matériel")
        expect(page.get_by_role("row").filter(has_text=SHOWN)).to_contain_text("Famille Durand")
    finally:
        page.context.close()
