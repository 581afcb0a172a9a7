"""A printed document in the browser, as the coordinator meets it: the pole's letterhead
(logo, name, colour) set through the API shows on the page, the shipped font loads from
maillage itself, the page has no serious accessibility violation, and the browser's own
print of it is A4 with « Page n sur N » — the same HTML the server's PDF is made of."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Api
from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer
from tests.pdf import read

SET = """mutation($input: LetterheadInput!) { setLetterhead(input: $input) {
  errors { code field message } } }"""


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def test_the_printed_tables_carry_the_letterhead_on_screen_and_in_the_browser_s_print(
    coordinator: Page, live: LiveServer, coordinator_api: Api
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), (0, 70, 120)).save(buffer, "PNG")
    logo = base64.b64encode(buffer.getvalue()).decode()
    done = coordinator_api(
        SET, input={"name": "PRPE 63 — en-tête d'essai", "colour": "#00466e", "logoBase64": logo}
    )
    assert done["setLetterhead"] == {"errors": []}
    try:
        page = coordinator
        page.goto(f"{live.base_url}/reports/outreach.html?year={dt.date.today().year}")
        head = page.locator("header.letterhead")
        expect(head.get_by_role("img", name="Logo : PRPE 63 — en-tête d'essai")).to_be_visible()
        expect(head.locator(".pole-name")).to_have_text("PRPE 63 — en-tête d'essai")
        expect(head.locator(".pole-name")).to_have_css("color", "rgb(0, 70, 110)")
        assert page.evaluate(
            """async () => { await document.fonts.ready;
               return document.fonts.check('12px "Atkinson Hyperlegible"'); }"""
        )
        assert serious_violations(page) == [], page.url
        printed = read(page.pdf(prefer_css_page_size=True))
        assert printed.is_a4() and printed.sizes[0][0] > printed.sizes[0][1]  # landscape
        assert f"Page 1 sur {printed.pages}" in printed.text
        assert "PRPE 63 — en-tête d'essai" in printed.text
    finally:
        coordinator_api(SET, input={"name": "", "colour": "", "removeLogo": True})
