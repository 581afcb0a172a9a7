"""A family's legal holds and adhesions in Chromium, against the demo server: on the
family's personal data page the coordinator places a hold (a missing reason given
back, the typed note kept), an erasure then waits for it, and lifting it — after a
confirmation step — carries the erasure out. The family's file shows its adhesions.
axe-core on every page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Api
from tests.browser.test_family_file import a_new_family
from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer

REGISTER = """mutation($input: AdhesionInput!) { registerAdhesion(input: $input) {
  errors { code field message } } }"""


@pytest.fixture
def record_keeper(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_a_legal_hold_defers_the_erasure_until_it_is_lifted(
    record_keeper: Page, live: LiveServer
) -> None:
    page = record_keeper
    name = a_new_family(page, live)
    page.get_by_role("link", name=re.compile("^Données personnelles")).click()
    expect(page.locator("main")).to_contain_text("Aucune obligation de conservation.")
    accessible(page)

    page.fill("#note", "Dossier prud'hommes 2026-117")
    page.get_by_role("button", name="Poser l'obligation").click()
    expect(page.locator(".error-summary")).to_contain_text("Choisissez le motif")
    expect(page.locator("#reason-error")).to_be_visible()
    expect(page.locator("#note")).to_have_value("Dossier prud'hommes 2026-117")
    accessible(page)
    page.select_option("#reason", label="Contentieux ou réclamation en cours")
    page.get_by_role("button", name="Poser l'obligation").click()
    expect(page.get_by_role("status")).to_have_text("L'obligation de conservation est posée.")
    expect(page.locator("main")).to_contain_text(
        "Contentieux ou réclamation en cours — Dossier prud'hommes 2026-117"
    )

    page.select_option("#requester", index=1)
    page.get_by_role("button", name="Effacer les données…").click()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_role("status")).to_contain_text("Différé")
    page.goto(page.url)  # the page of the family, the erasure waiting

    page.get_by_role("button", name="Lever l'obligation « Contentieux").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirmez la levée")
    accessible(page)
    page.get_by_role("button", name="Lever l'obligation", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        "L'obligation est levée et l'effacement qui l'attendait est fait."
    )
    expect(page.locator("main")).to_contain_text("(levée)")
    expect(page.locator("main")).to_contain_text("données effacées le")
    assert name not in page.locator("main").inner_text()


def test_the_family_file_shows_its_adhesions(
    record_keeper: Page, live: LiveServer, coordinator_api: Api
) -> None:
    page = record_keeper
    a_new_family(page, live)
    section = page.locator("section", has=page.get_by_role("heading", name="Adhésions"))
    expect(section).to_contain_text("Cette famille n'a jamais adhéré.")
    family_id = page.url.split("?")[0].rsplit("/familles/", 1)[1]
    year = dt.date.today().year
    answer = coordinator_api(
        REGISTER,
        input={"year": year, "joinedOn": dt.date.today().isoformat(), "familyId": family_id},
    )
    assert answer["registerAdhesion"]["errors"] == [], answer  # type: ignore[index]
    page.reload()
    expect(section).to_contain_text(f"{year} : ")
    expect(section).to_contain_text("gratuite (1re année)")
    accessible(page)
    section.get_by_role("link", name=re.compile("^Enregistrer une adhésion")).click()
    expect(page.locator("h1")).to_contain_text("adhésion")
