"""A family's legal holds and adhesions in Chromium, against the demo server: on the
family's personal data page the coordinator places a hold (a missing reason given
back, the typed note kept), an erasure then waits for it, and lifting it — after a
confirmation step — carries the erasure out. The family's file shows its adhesions
and its loans of kits. axe-core on every page."""

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
FREE_KITS = """query($start: Date!, $end: Date!) { kitAvailability(start: $start, end: $end) {
  kit { id name } free { startsOn days } } }"""
RESERVE = """mutation($input: KitReservationInput!) { reserveKit(input: $input) {
  loan { id } errors { code field message } } }"""


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


def test_the_family_file_shows_its_loans(
    record_keeper: Page, live: LiveServer, coordinator_api: Api
) -> None:
    page = record_keeper
    name = a_new_family(page, live)
    section = page.locator("section", has=page.get_by_role("heading", name="Prêts de malles"))
    expect(section).to_contain_text("Cette famille n'a jamais emprunté de malle.")
    family_id = page.url.split("?")[0].rsplit("/familles/", 1)[1]
    # A kit free for a week, far enough ahead to meet none of the demo's loans.
    start = dt.date.today() + dt.timedelta(days=400)
    calendars = coordinator_api(
        FREE_KITS, start=start.isoformat(), end=(start + dt.timedelta(days=300)).isoformat()
    )["kitAvailability"]
    kit, starts_on = next(
        (c["kit"], p["startsOn"])  # type: ignore[index]
        for c in calendars  # type: ignore[union-attr]
        for p in c["free"]  # type: ignore[index]
        if p["days"] >= 7
    )
    reserved = coordinator_api(
        RESERVE,
        input={
            "kitId": kit["id"],
            "familyId": family_id,
            "startsOn": starts_on,
            "endsOn": (dt.date.fromisoformat(starts_on) + dt.timedelta(days=6)).isoformat(),
        },
    )["reserveKit"]
    assert reserved["errors"] == [], reserved  # type: ignore[index]
    # And a surprise kit asked for, which the team has not chosen yet.
    surprise = coordinator_api(
        RESERVE, input={"surprise": True, "familyId": family_id, "startsOn": starts_on}
    )["reserveKit"]
    assert surprise["errors"] == [], surprise  # type: ignore[index]
    page.reload()
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(section).to_contain_text("Demandée")
    expect(section).to_contain_text("Malle surprise")
    accessible(page)
    section.get_by_role("link", name=re.compile(f"^{re.escape(kit['name'])}")).click()
    expect(page.locator("h1")).to_have_text(f"Prêt de « {kit['name']} »")
    expect(page.locator("main")).to_contain_text(name)
