"""The kits and sensitisation screens in Chromium, against the real demo server: the
Puy-de-Dôme coordinator reserves « Mallette sensorielle des tout-petits » for a
crèche and marks it out with its checklist, a double booking comes back with its
error next to the field and the input kept, and axe-core finds nothing serious on
any of these pages."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer

KIT = "Mallette sensorielle des tout-petits"


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def _no_serious_violation(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def _reserve(page: Page, starts: dt.date, ends: dt.date) -> None:
    """Fill the reservation form for the first crèche of the directory and send it."""
    page.fill("#startsOn", starts.isoformat())
    page.fill("#endsOn", ends.isoformat())
    creche = page.locator("#structureId option", has_text=re.compile("crèche", re.I)).first
    page.select_option("#structureId", value=creche.get_attribute("value"))
    page.get_by_role("button", name="Réserver").click()


def test_the_coordinator_reserves_a_kit_for_a_creche_and_marks_it_out(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    # « Aujourd'hui »: each kit leaving or coming back this week opens its loan.
    kits_this_week = page.locator("#malles").locator("xpath=..").get_by_role("link")
    expect(kits_this_week.first).to_be_visible()
    kits_this_week.first.click()
    expect(page.locator("h1")).to_have_text(re.compile("^Prêt de « "))
    page.get_by_role("navigation").get_by_role("link", name="Malles").click()
    expect(page.locator("h1")).to_have_text("Malles pédagogiques")
    _no_serious_violation(page)
    page.get_by_role("link", name=KIT).click()
    expect(page.locator("h1")).to_have_text(KIT)
    expect(page.get_by_role("table")).to_contain_text("Libre")
    _no_serious_violation(page)

    # The demo lent it out until these days: it comes back first, counted and checked.
    out = page.get_by_role("link", name=re.compile("^En prêt chez"))
    if out.count():
        out.first.click()
        page.get_by_label(re.compile("^Hochets sonores")).fill("2")
        page.get_by_role("button", name="Enregistrer le retour").click()
        expect(page.get_by_role("status")).to_have_text("Le retour de la malle est enregistré.")
        returned = page.get_by_role("table", name="Liste comptée au retour")
        expect(returned.get_by_role("row", name=re.compile("Hochets sonores"))).to_contain_text("2")
        _no_serious_violation(page)
        page.get_by_role("button", name="Marquer vérifiée").click()
        expect(page.get_by_role("status")).to_have_text("La malle est vérifiée.")
        expect(page.locator("dl")).to_contain_text("Vérifiée")
        page.get_by_role("link", name=KIT).click()

    # Far enough ahead to be free of the demo's loans; a day of its own for each run.
    starts = dt.date.today() + dt.timedelta(days=200 + random.randrange(300))
    ends = starts + dt.timedelta(days=20)
    page.get_by_role("link", name="Réserver").click()
    expect(page.locator("#kitId option:checked")).to_have_text(KIT)
    _no_serious_violation(page)
    _reserve(page, starts, ends)
    page.wait_for_url(re.compile(r"/prets/.+\?ok=reserved$"))
    loan_url = page.url.split("?")[0]
    expect(page.get_by_role("status")).to_have_text("La réservation est enregistrée.")
    expect(page.locator("main")).to_contain_text("Demandée")
    _no_serious_violation(page)

    # The same kit on overlapping dates: refused next to the kit, nothing lost.
    page.goto(f"{live.base_url}/malles")
    page.get_by_role("link", name="Réserver une malle").click()
    page.select_option("#kitId", label=KIT)
    page.fill("#notes", "Pour la semaine du handicap")
    _reserve(page, starts + dt.timedelta(days=5), ends + dt.timedelta(days=5))
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.locator("#kitId-error")).to_contain_text("déjà réservée")
    expect(page.locator("#kitId")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary").get_by_role("link")).to_contain_text("déjà réservée")
    expect(page.locator("#kitId option:checked")).to_have_text(KIT)
    expect(page.locator("#startsOn")).to_have_value((starts + dt.timedelta(days=5)).isoformat())
    expect(page.locator("#notes")).to_have_value("Pour la semaine du handicap")
    _no_serious_violation(page)

    # The loan's life cycle: confirmed, then out with one piece missing at departure.
    page.goto(loan_url)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("status")).to_have_text("La réservation est confirmée.")
    expect(page.locator("h2")).to_have_text("Sortie de la malle")
    _no_serious_violation(page)
    page.get_by_label(re.compile("^Balles à picots")).fill("1")
    # Delivered by the team: a mistyped distance comes back next to its field.
    page.fill("#km", "trente")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.locator("#km-error")).to_contain_text("Nombre non reconnu")
    expect(page.get_by_label(re.compile("^Balles à picots"))).to_have_value("1")
    page.fill("#km", "23,5")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_role("status")).to_have_text("Le départ de la malle est enregistré.")
    trips = page.get_by_role("table", name="Trajets de l'équipe")
    expect(trips.get_by_role("row", name=re.compile("^Livraison"))).to_contain_text("23,5")
    expect(page.locator("dl")).to_contain_text("Sortie")
    checklist = page.get_by_role("table", name="Liste comptée au départ")
    expect(checklist.get_by_role("row", name=re.compile("Balles à picots"))).to_contain_text("1")
    expect(page.locator("h2")).to_have_text("Retour de la malle")
    _no_serious_violation(page)


def _printed_total(page: Page, live: LiveServer, year: int) -> tuple[int, int]:
    """Sessions and participants of the printed session table's « Total » line."""
    page.goto(f"{live.base_url}/reports/outreach.html?year={year}")
    cell = page.locator("table").first.locator("tr", has_text=re.compile("^Total")).last
    found = re.search(r"(\d+) \((\d+)\)\s*$", cell.inner_text())
    assert found, cell.inner_text()
    return int(found[1]), int(found[2])


def test_a_session_with_12_participants_is_recorded_and_printed(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    year = dt.date.today().year
    sessions, participants = _printed_total(page, live, year)

    page.goto(f"{live.base_url}/")
    page.get_by_role("navigation").get_by_role("link", name="Sensibilisations").click()
    expect(page.locator("h1")).to_have_text(f"Sensibilisations {year}")
    _no_serious_violation(page)
    page.get_by_role("link", name="Enregistrer une sensibilisation").click()
    _no_serious_violation(page)
    page.select_option("#kind", label="Sensibilisation territoriale")
    page.select_option("#audience", label="Petite enfance")
    page.fill("#commune", "Ambert")
    page.select_option("#halfDays", label="1 journée")
    page.fill("#title", "Accueillir un enfant avec un handicap")
    # Participants forgotten: the error is next to the field, the rest is kept.
    page.get_by_role("button", name="Enregistrer la sensibilisation").click()
    expect(page.locator("#participantsCount-error")).to_contain_text("Indiquez un nombre")
    expect(page.locator("#commune")).to_have_value("Ambert")
    _no_serious_violation(page)
    page.fill("#participantsCount", "12")
    page.get_by_role("button", name="Enregistrer la sensibilisation").click()
    expect(page.get_by_role("status")).to_have_text("La sensibilisation est enregistrée.")
    row = page.get_by_role("row", name=re.compile("Accueillir un enfant avec un handicap"))
    expect(row.first).to_contain_text("Ambert")
    expect(row.first).to_contain_text("12")
    _no_serious_violation(page)

    # A session by video has no commune: said with the box, the commune left empty.
    page.get_by_role("link", name="Enregistrer une sensibilisation").click()
    page.select_option("#kind", label="À la demande")
    page.select_option("#audience", label="Petite enfance")
    page.get_by_label("En visio, sans commune").check()
    page.fill("#participantsCount", "5")
    page.fill("#title", "Visio des assistantes maternelles")
    page.get_by_role("button", name="Enregistrer la sensibilisation").click()
    expect(page.get_by_role("status")).to_have_text("La sensibilisation est enregistrée.")
    video = page.get_by_role("row", name=re.compile("Visio des assistantes maternelles"))
    expect(video.first).to_contain_text("À distance (visio)")

    page.get_by_role("link", name=f"Imprimer le tableau {year}").click()
    expect(page).to_have_url(re.compile(rf"/reports/outreach\.html\?year={year}$"))
    assert _printed_total(page, live, year) == (sessions + 2, participants + 17)
    expect(page.locator("table").first).to_contain_text("Ambert")
    expect(page.locator("table").first).to_contain_text("À distance (visio)")


def test_an_event_is_recorded_and_counted_in_its_table(coordinator: Page, live: LiveServer) -> None:
    page = coordinator
    year = dt.date.today().year
    page.get_by_role("navigation").get_by_role("link", name="Événements").click()
    expect(page.locator("h1")).to_have_text(f"Événements {year}")
    _no_serious_violation(page)
    page.get_by_role("link", name="Enregistrer un événement").click()
    title = f"Forum petite enfance {random.randrange(10**6)}"
    page.select_option("#kind", label="Forum")
    page.fill("#title", title)
    page.fill("#commune", "Ambert")
    page.fill("#peopleReached", "beaucoup")
    page.get_by_role("button", name="Enregistrer l'événement").click()
    expect(page.locator("#peopleReached-error")).to_contain_text("Nombre non reconnu")
    expect(page.locator("#title")).to_have_value(title)
    _no_serious_violation(page)
    page.fill("#peopleReached", "40")
    page.get_by_role("button", name="Enregistrer l'événement").click()
    expect(page.get_by_role("status")).to_have_text("L'événement est enregistré.")
    row = page.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row).to_contain_text("Ambert")
    expect(row).to_contain_text("40")
    table = page.get_by_role("table", name=re.compile("^Événements \\(personnes touchées\\)"))
    expect(table.get_by_role("row", name=re.compile("^Ambert"))).to_be_visible()
    _no_serious_violation(page)
