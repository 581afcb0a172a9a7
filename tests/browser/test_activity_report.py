"""The annual report as the coordinator meets it in a real browser: the menu entry, the
year's sections with the plugin's, charts and maps with their data, no serious
accessibility violation, the published copy by a checkbox, and the PDF download."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_printed_documents import coordinator
from tests.browser.test_web_app import serious_violations
from tests.live import LiveServer
from tests.pdf import read

__all__ = ["coordinator"]  # the signed-in coordinator's page, a fixture


def test_the_coordinator_reads_the_year_switches_to_the_published_copy_and_downloads(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    page.get_by_role("link", name="Rapport d'activité").first.click()
    expect(page).to_have_url(re.compile(r"/rapport$"))
    page.get_by_role("spinbutton", name="Année").fill("2025")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport d'activité 2025")
    expect(page.get_by_role("heading", name="Le réseau des référents handicap")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("par intercommunalité"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Enfants suivis par tranche"))).to_be_visible()
    assert serious_violations(page) == [], page.url

    page.get_by_label(re.compile("Copie publiée")).check()
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"annee=2025&copie=publiee"))
    expect(page.get_by_text(re.compile("^Copie publiée :"))).to_be_visible()

    link = page.get_by_role("link", name="PDF — rapport 2025")
    assert link.get_attribute("href") == "/reports/activity/2025.pdf?copie=publiee"
    # The PDF takes seconds of WeasyPrint's CPU (decision 131): more than the default wait.
    answer = page.request.get(
        f"{live.base_url}/reports/activity/2025.pdf?copie=publiee", timeout=180_000
    )
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    printed = read(answer.body())
    assert printed.tagged and printed.is_a4() and "Copie publiée" in printed.text
