"""« Aujourd'hui » shows the first ten of each list and how many there are; « Voir
tout » opens the whole list: the reminders (marked done or snoozed from their row,
a wrong date coming back with its error next to the field and the typed value
kept), the requests waiting for an answer, the kits leaving and coming back this
week. In Chromium against the demo server, axe-core on each page, and at 390 px."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Api
from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer


@pytest.fixture
def signed_in_coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


RECORD = """mutation($input: RequestInput!) { recordRequest(input: $input) {
  errors { code field message } } }"""


def old_requests(api: Api, count: int) -> str:
    """``count`` requests received in 2020 and never answered (the oldest reminders of
    the pole): their requesters' names share the returned marker."""
    marker = uuid.uuid4().hex[:6]
    for i in range(count):
        answer = api(
            RECORD,
            input={
                "receivedOn": f"2020-01-{i + 1:02d}",
                "channel": "phone",
                "requesterKind": "family",
                "requesterName": f"Relance {marker} {i + 1:02d} (fictif)",
                "subjects": ["mdph"],
            },
        )
        assert answer["recordRequest"]["errors"] == [], answer  # type: ignore[index]
    return marker


def count_of(page: Page, card: str) -> int:
    text = page.locator(f"#{card}").inner_text()
    found = re.search(r"\(([\d\u202f ]+)\)", text)
    assert found, text
    return int(re.sub(r"\D", "", found.group(1)))


def test_the_home_cards_show_ten_and_open_the_whole_lists(
    signed_in_coordinator: Page, live: LiveServer, coordinator_api: Api
) -> None:
    marker = old_requests(coordinator_api, 12)
    page = signed_in_coordinator
    page.goto(f"{live.base_url}/")
    reminders = count_of(page, "rappels")
    assert reminders >= 12
    card = page.locator("section", has=page.locator("#rappels"))
    assert card.locator("li").count() == 10
    card.get_by_role("link", name="Voir tout : les rappels").click()
    expect(page.locator("h1")).to_have_text("Rappels")
    expect(page.get_by_role("checkbox", name="Demande sans réponse")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Suivi sans intervention récente")).not_to_be_checked()
    expect(page.locator("caption")).to_contain_text(f"{reminders} rappels à traiter")
    assert serious_violations(page) == [], page.url
    first = page.locator("tbody tr").first
    # The oldest first: the request received on 1 January 2020.
    expect(first).to_contain_text(f"Relance {marker} 01")

    # A snooze date in the past comes back with its error, the typed date kept.
    first.get_by_label(re.compile("^Reporter au")).fill("2020-02-01")
    first.get_by_role("button", name=re.compile("^Reporter :")).click()
    expect(page.locator(".error-summary")).to_contain_text("Reporter à une date future")
    row = page.locator("tbody tr").first
    expect(row.locator(".field-error")).to_contain_text("Reporter à une date future")
    expect(row.get_by_label(re.compile("^Reporter au"))).to_have_value("2020-02-01")
    assert serious_violations(page) == [], "the form with its error"

    row.get_by_role("button", name=re.compile("^Marquer traité")).click()
    expect(page.get_by_role("status")).to_have_text("Le rappel est marqué comme traité.")
    expect(page.locator("tbody tr").first).to_contain_text(f"Relance {marker} 02")
    expect(page.locator("caption")).to_contain_text(f"{reminders - 1} rappels à traiter")
    page.locator("tbody tr").first.get_by_role("button", name=re.compile("^Reporter :")).click()
    expect(page.get_by_role("status")).to_have_text("Le rappel est reporté.")
    expect(page.locator("tbody tr").first).to_contain_text(f"Relance {marker} 03")

    # The waiting requests: ten on the card, all of them behind « Voir tout ».
    page.get_by_role("navigation").get_by_role("link", name="Aujourd'hui").click()
    assert count_of(page, "rappels") == reminders - 2
    waiting = page.locator("section", has=page.locator("#attente"))
    assert waiting.locator("li").count() == 10
    waiting.get_by_role("link", name="Voir tout : les demandes en attente").click()
    expect(page.get_by_label("Statut")).to_have_value("en-attente")
    expect(page.locator("tbody")).to_contain_text(f"Relance {marker} 12")
    assert serious_violations(page) == [], page.url


def test_the_kits_of_the_week_open_as_whole_lists(
    signed_in_coordinator: Page, live: LiveServer
) -> None:
    page = signed_in_coordinator
    for tab, title in (
        ("departs", "Départs de la semaine"),
        ("retours", "Retours de la semaine"),
        ("retards", "Malles en retard"),
    ):
        page.goto(f"{live.base_url}/prets?liste={tab}")
        expect(page.locator("h1")).to_have_text(title)
        expect(page.get_by_role("link", name=title)).to_have_attribute("aria-current", "page")
        expect(page.locator("caption")).to_contain_text("prêt")
        assert serious_violations(page) == [], page.url
    # The home page's count of the late kits is the list's, and each loan opens its page.
    late = int(re.sub(r"\D", "", page.locator("caption").inner_text().split("prêt")[0]))
    page.get_by_role("navigation").get_by_role("link", name="Aujourd'hui").click()
    if late:
        page.get_by_role("link", name=re.compile(r"^\d+ malles? en retard")).click()
        expect(page.locator("h1")).to_have_text("Malles en retard")
        page.locator("tbody a").first.click()
        expect(page.locator("h1")).to_have_text(re.compile("^Prêt de « "))
    else:
        expect(page.get_by_text(re.compile("malles? en retard"))).to_have_count(0)


def test_the_whole_lists_fit_390_pixels(browser: Browser, live: LiveServer) -> None:
    page = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        for path in ("/", "/rappels", "/prets?liste=retours", "/demandes?statut=en-attente"):
            page.goto(f"{live.base_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
    finally:
        page.context.close()
