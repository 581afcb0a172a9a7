"""« Membres du pôle » in Chromium, against the demo server: the pole's admin finds the
screen in the navigation, invites a person (a mistyped address first: its message next
to the field, the name kept; no role: the API's message next to the roles), sees her
listed as invited, then gives her the health-data grant and disables her account from
her page. A coordinator reads the list without the forms; a staff member has no such
screen. axe-core on each state."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import (
    COORDINATOR,
    DOC_SCREENSHOTS,
    STAFF,
    serious_violations,
    signed_in,
)
from tests.live import LiveServer

POLE_ADMIN = "pole-admin@puy-de-dome.maillage.example"
NAV = "Navigation principale"
HEALTH = "Lire et écrire le diagnostic et les notes de santé d'un enfant"


@pytest.fixture
def admin(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, POLE_ADMIN)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_the_pole_admin_invites_a_member_and_grants_her_the_health_notes(
    admin: Page, live: LiveServer, tmp_path: Path
) -> None:
    page = admin
    name = f"Camille Essai{random.randrange(100, 100000)}"
    email = f"camille.{random.randrange(100, 100000)}@exemple.fr"
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Membres").click()
    expect(page.locator("h1")).to_have_text("Membres du pôle")
    expect(page.locator("table")).to_contain_text(COORDINATOR)
    accessible(page)

    page.fill("#displayName", name)
    page.fill("#email", "pas-une-adresse")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#displayName")).to_have_value(name)
    expect(page.locator("#email")).to_have_value("pas-une-adresse")
    accessible(page)

    page.fill("#email", email)
    for box in page.locator("#roles input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator("#roles-error")).to_contain_text("rôle")
    expect(page.locator("#email")).to_have_value(email)

    page.get_by_label("Chargé·e de mission, éducateur·rice").check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator(".notice")).to_contain_text("Invitation envoyée")
    row = page.locator("tr", has_text=email)
    expect(row).to_contain_text("Invité·e")
    expect(row).to_contain_text("Chargé·e de mission")

    row.get_by_role("link", name=f"Modifier {name}").click()
    expect(page.locator("h1")).to_have_text(name)
    accessible(page)
    page.get_by_label(HEALTH).check()
    page.get_by_label("Compte actif", exact=False).uncheck()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".notice")).to_contain_text("Le membre est enregistré")
    row = page.locator("tr", has_text=email)
    expect(row).to_contain_text(HEALTH)
    expect(row).to_contain_text("Désactivé")
    # The user guide's picture (`make screenshots` writes it into docs/screenshots).
    shots = DOC_SCREENSHOTS if os.environ.get("MAILLAGE_WRITE_SCREENSHOTS") else tmp_path
    page.set_viewport_size({"width": 1200, "height": 900})
    page.screenshot(path=str(shots / "app-membres.png"), full_page=True)


def test_a_coordinator_reads_the_members_and_a_staff_member_has_no_such_screen(
    browser: Browser, live: LiveServer
) -> None:
    page = signed_in(browser, live, COORDINATOR)
    try:
        page.get_by_role("navigation", name=NAV).get_by_role("link", name="Membres").click()
        expect(page.locator("table")).to_contain_text(POLE_ADMIN)
        expect(page.get_by_role("button", name="Envoyer l'invitation")).to_have_count(0)
        expect(page.get_by_role("link", name="Modifier", exact=False)).to_have_count(0)
    finally:
        page.context.close()
    page = signed_in(browser, live, STAFF)
    try:
        nav = page.get_by_role("navigation", name=NAV)
        expect(nav.get_by_role("link", name="Membres")).to_have_count(0)
        page.goto(f"{live.base_url}/membres")
        expect(page.locator("table")).to_have_count(0)
    finally:
        page.context.close()
