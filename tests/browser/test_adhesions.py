"""The adhesions screens in Chromium, against the demo server: a new family adheres
(an amount typed for its first year, which is free, is refused next to the amount and
the choices kept), the adhesion is listed as free, and a member of last year is
renewed in one click. axe-core on every page."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Api
from tests.browser.test_family_file import a_new_family
from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_a_new_family_adheres_free_and_last_years_member_is_renewed(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    year = dt.date.today().year
    family = a_new_family(page, live)
    page.get_by_role("navigation").get_by_role("link", name="Adhésions").click()
    expect(page.locator("h1")).to_have_text(f"Adhésions {year}")
    accessible(page)

    page.get_by_role("link", name="Enregistrer une adhésion").click()
    accessible(page)
    page.get_by_role("button", name="Enregistrer l'adhésion").click()
    expect(page.locator("#familyId-error")).to_contain_text("Choisissez la famille")
    page.select_option("#familyId", label=family)
    page.fill("#amount", "15")
    page.get_by_role("button", name="Enregistrer l'adhésion").click()
    expect(page.locator("#amount-error")).to_be_visible()
    expect(page.locator("#familyId option:checked")).to_have_text(family)
    accessible(page)
    page.fill("#amount", "")
    page.get_by_role("button", name="Enregistrer l'adhésion").click()
    expect(page.get_by_role("status")).to_have_text("L'adhésion est enregistrée.")
    row = page.get_by_role("row", name=re.compile(re.escape(family)))
    expect(row).to_contain_text("Gratuite (1re année)")

    renew = page.get_by_role("button", name=re.compile("^Renouveler"))
    if renew.count():
        before = renew.count()
        renew.first.click()
        expect(page.get_by_role("status")).to_have_text("L'adhésion est renouvelée.")
        expect(page.get_by_role("button", name=re.compile("^Renouveler"))).to_have_count(before - 1)
    accessible(page)


INVOICES = """{ invoices(statuses: ["issued", "paid"], first: 1) {
  edges { node { number familyId } } } }"""


def test_an_invoice_is_printed_from_the_family_s_file(
    coordinator: Page, coordinator_api: Api, live: LiveServer
) -> None:
    """The demo's adhesions are invoiced: the family's file links each invoice to its
    printable page and its PDF."""
    edges = coordinator_api(INVOICES)["invoices"]["edges"]  # type: ignore[index]
    assert edges, "the demo pole has issued invoices"
    invoice = edges[0]["node"]
    family = base64.b64encode(f"Family:{invoice['familyId']}".encode()).decode()
    page = coordinator
    page.goto(f"{live.base_url}/familles/{family}")
    page.get_by_role("link", name=f"Imprimer la facture {invoice['number']}").click()
    expect(page.locator("body")).to_contain_text(invoice["number"])
    page.go_back()
    pdf = page.get_by_role("link", name=f"PDF de la facture {invoice['number']}")
    answer = page.request.get(f"{live.base_url}{pdf.get_attribute('href')}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")


GESTIONNAIRE_INVOICES = """{ adhesions(first: 100) { edges { node {
  year memberName organisation { id } invoice { number } } } } }"""


def test_a_gestionnaire_s_invoice_is_printed_from_the_list_of_adhesions(
    coordinator: Page, coordinator_api: Api, live: LiveServer
) -> None:
    """A gestionnaire has no file of its own: the year's list links its invoice."""
    edges = coordinator_api(GESTIONNAIRE_INVOICES)["adhesions"]["edges"]  # type: ignore[index]
    adhesion = next(
        e["node"]
        for e in edges
        if e["node"]["organisation"] and e["node"]["invoice"] and e["node"]["invoice"]["number"]
    )
    number, member = adhesion["invoice"]["number"], adhesion["memberName"]
    page = coordinator
    page.goto(f"{live.base_url}/adhesions?annee={adhesion['year']}")
    accessible(page)
    row = page.get_by_role("row", name=re.compile(re.escape(member)))
    expect(row.first).to_contain_text(number)
    page.get_by_role("link", name=f"Imprimer la facture {number} de {member}").click()
    expect(page.locator("body")).to_contain_text(number)
    expect(page.locator("body")).to_contain_text(member)
    page.go_back()
    pdf = page.get_by_role("link", name=f"PDF de la facture {number} de {member}")
    answer = page.request.get(f"{live.base_url}{pdf.get_attribute('href')}")
    assert answer.status == 200 and answer.body().startswith(b"%PDF")
