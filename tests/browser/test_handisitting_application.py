"""« Devenir intervenant·e handisitting » in Chromium (decision 204): the Pas-de-Calais
coordinator copies the link shown on the staff screen; a student opens it on a 390 px
phone without an account, makes a mistake (the form comes back with what she typed, the
summary at the top and the message next to each field), applies, reads what happens next;
the coordinator finds her application in the list, « Candidature reçue », and its
history says it came from the online form. axe-core on every page."""

from __future__ import annotations

import random

from playwright.sync_api import Browser, expect

from tests.browser.test_handisitting_pages import accessible, apply_on_phone, public_link
from tests.browser.test_web_app import OTHER_POLE, signed_in
from tests.live import LiveServer


def test_a_student_applies_on_the_public_page_and_the_coordinator_sees_it(
    browser: Browser, live: LiveServer
) -> None:
    staff = signed_in(browser, live, OTHER_POLE)
    try:
        url = public_link(staff)
        accessible(staff)
        last = f"Essai{random.randrange(100, 100000)}"
        apply_on_phone(browser, url, "Maëlle", last)

        staff.reload()
        row = staff.get_by_role("row", name=f"Maëlle {last}")
        expect(row).to_contain_text("Candidature reçue")
        expect(row).to_contain_text("Béthune")
        row.get_by_role("link", name=f"Maëlle {last}").click()
        expect(staff.locator("h1")).to_have_text(f"Maëlle {last}")
        expect(staff.locator("ol.timeline")).to_contain_text("formulaire en ligne")
        accessible(staff)
    finally:
        staff.context.close()
