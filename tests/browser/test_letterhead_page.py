"""« En-tête des documents » in Chromium, against the demo server: the coordinator
opens it from the footer, a colour mistyped comes back with its message next to the
field (the other fields kept), a file that is no image is refused next to the logo
field, then a PNG logo and a colour are saved and shown; the page is restored at the
end (other tests print documents). axe-core on each state; a staff member reads it
without the form."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, STAFF, serious_violations, signed_in
from tests.live import LiveServer

FIELDS = ("#name", "#address", "#contact", "#colour", "#accentColour")


@pytest.fixture
def letterhead_keeper(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def a_png(tmp_path: Path) -> Path:
    path = tmp_path / "logo.png"
    image = Image.new("RGB", (120, 40), (27, 58, 107))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_the_coordinator_sets_the_letterhead_with_a_logo(
    letterhead_keeper: Page, live: LiveServer, tmp_path: Path
) -> None:
    page = letterhead_keeper
    page.get_by_role("contentinfo").get_by_role("link", name="En-tête des documents").click()
    expect(page.locator("h1")).to_have_text("En-tête des documents")
    assert serious_violations(page) == [], page.url
    before = {field: page.locator(field).input_value() for field in FIELDS}
    try:
        page.fill("#contact", "accueil@pole.example — 04 73 00 00 00")
        page.fill("#colour", "bleu")
        page.get_by_role("button", name="Enregistrer l'en-tête").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#colour-error")).to_contain_text("#rrvvbb")
        expect(page.locator("#colour")).to_have_value("bleu")
        expect(page.locator("#contact")).to_have_value("accueil@pole.example — 04 73 00 00 00")
        assert serious_violations(page) == [], "the form with its error"

        not_an_image = tmp_path / "logo.png"
        not_an_image.write_text("pas une image")
        page.fill("#colour", "#1b3a6b")
        page.set_input_files("#logo", str(not_an_image))
        page.get_by_role("button", name="Enregistrer l'en-tête").click()
        expect(page.locator("#logo-error")).to_contain_text("image")

        page.set_input_files("#logo", str(a_png(tmp_path)))
        page.get_by_role("button", name="Enregistrer l'en-tête").click()
        expect(page.get_by_role("status")).to_have_text("L'en-tête est enregistré.")
        expect(page.get_by_role("img", name="Logo du pôle")).to_be_visible()
        expect(page.locator("main")).to_contain_text("accueil@pole.example — 04 73 00 00 00")
        expect(page.locator("#colour")).to_have_value("#1b3a6b")
    finally:
        page.goto(f"{live.base_url}/en-tete")
        for field, value in before.items():
            page.fill(field, value)
        remove = page.get_by_label("Retirer le logo")
        if remove.count():
            remove.check()
        page.get_by_role("button", name="Enregistrer l'en-tête").click()
        expect(page.get_by_role("status")).to_have_text("L'en-tête est enregistré.")
    expect(page.get_by_role("img", name="Logo du pôle")).to_have_count(0)


def test_a_staff_member_reads_the_letterhead_without_the_form(
    browser: Browser, live: LiveServer
) -> None:
    page = signed_in(browser, live, STAFF)
    try:
        page.goto(f"{live.base_url}/en-tete")
        expect(page.locator("h1")).to_have_text("En-tête des documents")
        expect(page.get_by_role("button", name=re.compile("Enregistrer"))).to_have_count(0)
    finally:
        page.context.close()
