"""Issue 15's « Done when », exactly, in Chromium and with the keyboard alone.

Signed in as the Puy-de-Dôme coordinator, a person who never saw GraphQL records a
family's request, opens the child's follow-up, logs an observation at the crèche,
writes and prints the reception plan, reserves the « Sensorielle » kit for that
crèche and marks it out, records a sensitisation session with 12 participants, and
finds all of it on the home page and in the printed session table.

The family is a new one, opened (with its child) at the start of the journey: no
other test touches it on the shared demo server. The pages no other test visits (the
child form, the family's file with its actions, the loan once out, the home page with
its cards) are checked with axe-core. What « finds all of it on the home page » means:
the follow-up (with its observation at the crèche and a link to the request it came
from) under « Mes suivis en cours », the kit under « Malles cette semaine », the
session under « Sensibilisations récentes »; the reception plan is on the follow-up's
page, one Enter away."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from playwright.sync_api import Browser, Page, expect

from tests.browser.keyboard import Keyboard
from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer

KIT = "Mallette sensorielle des tout-petits"
NAV = "Navigation principale"


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def printed_total(page: Page, live: LiveServer, year: int) -> tuple[int, int]:
    """Sessions and participants of the printed session table's « Total » line."""
    cell = page.locator("table").first.locator("tr", has_text=re.compile("^Total")).last
    found = re.search(r"(\d+) \((\d+)\)\s*$", cell.inner_text())
    assert found, cell.inner_text()
    return int(found[1]), int(found[2])


def test_the_coordinators_week_in_the_browser_with_the_keyboard_alone(
    browser: Browser, live: LiveServer
) -> None:
    page = signed_in(browser, live, COORDINATOR)
    try:
        journey(page, live)
    finally:
        page.context.close()


def journey(page: Page, live: LiveServer) -> None:
    keys = Keyboard(page)
    nav = page.get_by_role("navigation", name=NAV)
    today = dt.date.today()
    year = today.year
    tag = uuid.uuid4().hex[:6]
    family = f"Famille Parcours {tag}"
    title = f"Accueillir un enfant autiste ({tag})"
    page.goto(f"{live.base_url}/reports/outreach.html?year={year}")
    sessions_before, participants_before = printed_total(page, live, year)
    page.goto(f"{live.base_url}/")

    # The family's file, opened with its child.
    keys.follow("Familles", within=nav)
    keys.follow("Ouvrir le dossier d'une famille")
    keys.type("#name", family)
    keys.type("#commune", "Thiers")
    keys.press("Ouvrir le dossier")
    expect(page.get_by_role("status")).to_have_text("Le dossier de la famille est ouvert.")
    keys.follow("Ajouter un enfant")
    accessible(page)
    keys.type("#firstName", "Maël")
    keys.date("#birthDate", (today - dt.timedelta(days=2 * 365 + 40)).isoformat())
    keys.check(page.get_by_label("Troubles du spectre de l'autisme"))
    keys.press("Ajouter l'enfant")
    expect(page.get_by_role("status")).to_have_text("L'enfant est ajouté au dossier.")
    expect(page.locator("main")).to_contain_text("Maël")
    accessible(page)

    # The family's request, from its file: the family is already chosen.
    keys.follow("Enregistrer une demande")
    expect(page.locator("#familyId option:checked")).to_have_text(family)
    requester = f"Mme Parcours {tag}"
    keys.type("#requesterName", requester)
    keys.choose("#requesterKind", "Famille")
    keys.choose("#channel", "Téléphone")
    keys.check(page.get_by_label("Recherche d'un mode d'accueil"))
    keys.type("#description", "Cherche une crèche pour Maël, qui a un TSA.")
    keys.press("Enregistrer la demande")
    expect(page.get_by_role("status")).to_have_text("La demande est enregistrée.")
    keys.follow(requester)
    expect(page.locator("h1")).to_have_text(f"Demande de {requester}")
    request_path = page.url.split("?")[0].removeprefix(live.base_url)

    # The child's follow-up, at a crèche of the directory.
    keys.follow("Ouvrir un suivi")
    keys.choose("#childId", re.compile("^Maël"))
    crèche = page.locator("#structureIds label", has_text=re.compile("^Crèche")).first
    crèche_name = crèche.inner_text().split(" (")[0]
    # The demo's directory holds duplicates (to be merged): the crèche is its id.
    box = page.locator(f"#{crèche.get_attribute('for')}")
    crèche_id = box.get_attribute("value") or ""
    keys.check(box)
    keys.press("Ouvrir le suivi")
    expect(page.get_by_role("status")).to_have_text("Le suivi est ouvert.")
    expect(page.locator("h1")).to_have_text("Suivi de Maël")
    follow_up = page.url.split("?")[0]

    # An observation at the crèche.
    keys.follow("Noter une intervention")
    keys.choose("#kind", "Observation sur site")
    keys.type("#durationMinutes", "75")
    keys.choose("#structureId", value=crèche_id)
    keys.type("#notes", "Maël se bouche les oreilles au moment du repas.")
    keys.type("#recommendations", "Un coin calme et un casque anti-bruit au repas.")
    keys.press("Noter l'intervention")
    expect(page.get_by_role("status")).to_have_text("L'intervention est notée.")
    expect(page.locator("ol.timeline > li").first).to_contain_text(crèche_name)

    # The reception plan, written then printed.
    keys.follow("Écrire un projet d'accueil")
    keys.type("#needs", "Un environnement sonore calme ; des repères visuels.")
    keys.type("#adaptations", "Repas en petit groupe, casque anti-bruit disponible.")
    keys.press("Enregistrer le projet")
    expect(page.get_by_role("status")).to_have_text("Le projet d'accueil est enregistré.")
    keys.follow("Imprimer")
    assert re.search(r"/reports/reception-plans/[^/]+\.html$", page.url), page.url
    expect(page.locator("body")).to_contain_text("Maël")
    expect(page.locator("body")).to_contain_text("casque anti-bruit")
    page.go_back()

    # « Sensorielle », reserved for the crèche for the day and marked out. For the day
    # only (to the end of the week failed six days out of seven). The demo's loans run to
    # 40 days after its fixed date (20 November 2026): when one holds this kit today, the
    # form says so, keeps what was typed, and the next kit in store is tried.
    keys.follow("Malles", within=nav)
    # The kits in the pole's store, not out on a loan: those the next step may take.
    rows = page.locator("tbody tr").filter(has_text="Disponible")
    available = [r.locator("td").first.inner_text().strip() for r in rows.all()]
    keys.follow(KIT)
    out = page.get_by_role("link", name=re.compile("^En prêt chez"))
    if out.count():
        # Still lent (the demo's loans, or an earlier run's): it comes back first.
        keys.follow(re.compile("^En prêt chez"))
        keys.press("Enregistrer le retour")
        expect(page.get_by_role("status")).to_have_text("Le retour de la malle est enregistré.")
        keys.follow(KIT)
    keys.follow("Réserver")
    keys.choose("#structureId", value=crèche_id)
    keys.date("#startsOn", today.isoformat())
    keys.date("#endsOn", today.isoformat())
    kit = KIT
    for kit in [KIT, *(k for k in available if k != KIT)]:
        keys.choose("#kitId", kit)
        keys.press("Réserver")
        answer = page.locator("[role=status], .error-summary").first
        answer.wait_for()
        if page.get_by_role("status").count():
            break
        expect(page.locator(".error-summary")).to_contain_text("déjà réservée")
        expect(page.locator("#startsOn")).to_have_value(today.isoformat())  # kept
    expect(page.get_by_role("status")).to_have_text("La réservation est enregistrée.")
    keys.press("Confirmer")
    expect(page.get_by_role("status")).to_have_text("La réservation est confirmée.")
    keys.press("Enregistrer la sortie")
    expect(page.get_by_role("status")).to_have_text("Le départ de la malle est enregistré.")
    accessible(page)

    # A sensitisation session with 12 participants.
    keys.follow("Sensibilisations", within=nav)
    keys.follow("Enregistrer une sensibilisation")
    keys.choose("#kind", "Sensibilisation territoriale")
    keys.choose("#audience", "Petite enfance")
    keys.type("#commune", "Thiers")
    keys.choose("#halfDays", "½ journée")
    keys.type("#participantsCount", "12")
    keys.type("#title", title)
    keys.press("Enregistrer la sensibilisation")
    expect(page.get_by_role("status")).to_have_text("La sensibilisation est enregistrée.")

    # All of it on the home page.
    keys.follow("Aujourd'hui", within=nav)
    accessible(page)
    mine = page.locator("#mes-suivis").locator("xpath=..")
    row = mine.locator("li", has_text="Maël")
    expect(row).to_contain_text(family)
    expect(row).to_contain_text("Observation")
    expect(row).to_contain_text(crèche_name)
    expect(row.get_by_role("link", name=re.compile("^La demande d'origine"))).to_have_attribute(
        "href", request_path
    )
    kits = page.locator("#malles").locator("xpath=..")
    # (The demo may lend the same kit to a crèche of the same name too: at least ours.)
    expect(kits.locator("li", has_text=crèche_name).filter(has_text=kit).first).to_be_visible()
    sessions = page.locator("#sensibilisations").locator("xpath=..")
    expect(sessions.locator("li", has_text=title)).to_contain_text("12 participants")
    keys.follow(re.compile("^Maël"), within=mine)
    assert page.url.split("?")[0] == follow_up
    # The follow-up's page lists the reception plan written for the crèche.
    expect(page.locator("main")).to_contain_text(f"Projet d'accueil à {crèche_name}")

    # And in the printed session table.
    keys.follow("Sensibilisations", within=nav)
    keys.follow(f"Imprimer le tableau {year}")
    assert printed_total(page, live, year) == (sessions_before + 1, participants_before + 12)
    expect(page.locator("table").first).to_contain_text("Thiers")
