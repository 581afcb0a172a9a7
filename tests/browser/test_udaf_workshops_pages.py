"""The udaf_workshops plugin's screens in Chromium, contributed through the page hooks as
an integrator would: the Puy-de-Dôme pole (which enabled the plugin) reads last year's
outcome (« 1 atelier maintenu sur les 5 prévus, faute de participants »), records this
year's convention, plans a workshop, registers a family and a parent not yet known to
it, holds it and records who came, sends the families' needs questionnaire (once: a
second click sends nobody twice), a parent answers it through the mailed link, and the
year's page summarises the answers beside planned versus held (last year's demo
answers in full; this year's single answer as « too few »); it cancels another
workshop for lack of participants, sees a workshop below its minimum on its home page;
the Pas-de-Calais pole (which did not enable it) has no « Ateliers UDAF » entry and gets
404 on its pages. axe-core on every page."""

from __future__ import annotations

import datetime as dt
import random
import re
import time

from playwright.sync_api import Browser, Page, expect

# The signed-in coordinator of the Puy-de-Dôme pole and the axe check, as for the other
# plugin's screens.
from tests.browser.test_referent_charters_pages import accessible, coordinator
from tests.browser.test_web_app import OTHER_POLE, signed_in
from tests.live import LiveServer

NAV = "Navigation principale"
__all__ = ["coordinator"]


def _plan(page: Page, theme: str, day: dt.date, minimum: str) -> None:
    page.get_by_role("link", name=re.compile("Planifier un atelier")).first.click()
    accessible(page)
    page.fill("#theme", theme)
    page.fill("#heldOn", day.isoformat())
    page.fill("#commune", "Riom")
    page.fill("#capacity", "8")
    page.fill("#minimumParticipants", minimum)
    page.fill("#udafFacilitators", "Hélène Marcadier, Youssef Benali")
    page.get_by_role("button", name="Planifier l'atelier").click()
    expect(page.get_by_role("status")).to_have_text("L'atelier est planifié.")
    expect(page.locator("h1")).to_have_text(f"Atelier « {theme} »")


def _mailed_link(live: LiveServer, address: str) -> str:
    """The needs questionnaire's link the demo mailer printed for ``address``."""
    pattern = re.compile(rf"À : {re.escape(address)}\n.*?(https?://\S+/q/q_\S+)", re.S)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = pattern.findall(live.log_text())
        if found:
            return str(found[-1])
        time.sleep(0.1)
    raise AssertionError(f"no questionnaire mailed to {address}:\n{live.log_text()[-3000:]}")


def test_a_year_of_workshops_planned_held_and_cancelled(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    today = dt.date.today()
    mark = random.randrange(100, 1000)
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Ateliers UDAF").click()
    expect(page.locator("h1")).to_have_text(f"Ateliers parentalité avec l'UDAF — {today.year}")
    accessible(page)

    # Last year as the demo pole lived it.
    page.goto(f"{live.base_url}/ateliers-udaf?annee=2025")
    expect(page.locator(".outcome").first).to_have_text(
        "1 atelier maintenu sur les 5 prévus, faute de participants"
    )
    expect(page.locator("main")).to_contain_text("faute de participants : 4")
    # Beside it, what the families who came asked for (the demo's answers).
    needs = page.get_by_role("region", name="Ce que les familles demandent pour l'an prochain")
    expect(needs.locator(".needs-summary")).to_contain_text(
        "11 réponses au questionnaire des besoins ; thèmes les plus demandés"
    )
    expect(needs.get_by_role("table")).to_contain_text("La scolarisation à venir")
    expect(needs.locator("#besoin-garde")).to_contain_text("% des familles")
    expect(needs.locator("#utilite")).to_contain_text("sur 4 en moyenne")
    accessible(page)

    # This year's convention: a mistake first (the form keeps what was typed).
    page.goto(f"{live.base_url}/ateliers-udaf")
    partner = page.locator("#partnerId option", has_text="Association de familles").first
    page.select_option("#partnerId", value=partner.get_attribute("value"))
    page.fill("#workshopsPlanned", "0")
    page.fill("#territory", f"Tout le département {mark}")
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.locator("#workshopsPlanned-error")).to_be_visible()
    expect(page.locator("#territory")).to_have_value(f"Tout le département {mark}")
    accessible(page)
    page.fill("#workshopsPlanned", "5")
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.get_by_role("status")).to_have_text("La convention est enregistrée.")
    expect(page.locator(".outcome").first).to_have_text("aucun atelier daté sur les 5 prévus")

    # A workshop today: register a family and a new parent, confirm, hold, attendance.
    _plan(page, f"Le sommeil {mark}", today, "2")
    accessible(page)
    family_name = page.locator("#familyId option").nth(1).inner_text()
    page.fill("#seats", "2")
    # The family found by its name in the picker's search; what was typed stays.
    page.get_by_label("Chercher une famille par son nom ou le prénom d'un enfant").fill(family_name)
    page.get_by_role("button", name="Chercher", exact=True).click()
    expect(page.locator("#famille-hint")).to_contain_text(f"pour « {family_name} »")
    expect(page.locator("#seats")).to_have_value("2")
    page.select_option("#familyId", label=family_name)
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("L'inscription est enregistrée.")
    page.fill("#firstName", "Aurélie")
    page.fill("#lastName", f"Combronde{mark}")
    page.fill("#email", f"aurelie{mark}@exemple.example")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.locator("#consent-error, .error-summary")).not_to_have_count(0)
    expect(page.locator("#lastName")).to_have_value(f"Combronde{mark}")
    page.check("#consent")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("L'inscription est enregistrée.")
    expect(page.locator("table")).to_contain_text(f"Aurélie Combronde{mark}")
    expect(page.locator("table")).to_contain_text(family_name)
    # A second new parent, who turns out to be a family of the pole: linked, the
    # registration follows the family.
    page.fill("#firstName", "Karim")
    page.fill("#lastName", f"Sauxillanges{mark}")
    page.fill("#phone", "00 00 00 00 01")
    page.check("#consent")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("L'inscription est enregistrée.")
    accessible(page)
    other = page.locator("#familyId option").nth(2)
    other_name = other.inner_text()
    section = page.get_by_role("region", name=f"Karim Sauxillanges{mark}")
    section.get_by_label("Sa famille, devenue famille du pôle").select_option(label=other_name)
    section.get_by_role("button", name=re.compile("Rattacher")).click()
    expect(page.get_by_role("status")).to_contain_text("Le parent est rattaché à sa famille")
    expect(page.locator("table")).to_contain_text(other_name)
    expect(page.locator("table")).not_to_contain_text(f"Sauxillanges{mark}")

    page.select_option("#status", value="confirmed")
    page.get_by_role("button", name="Enregistrer le statut").click()
    expect(page.locator("#statut-actuel")).to_have_text("Confirmé")
    page.select_option("#status", value="held")
    page.get_by_role("button", name="Enregistrer le statut").click()
    expect(page.locator("#statut-actuel")).to_have_text("Maintenu (a eu lieu)")
    accessible(page)
    page.get_by_label(f"Parents venus : {family_name}").fill("3")
    page.get_by_role("button", name="Enregistrer la présence").click()
    expect(page.locator(".error-summary")).to_contain_text("pas plus de présents que d'inscrits")
    page.get_by_label(f"Parents venus : {family_name}").fill("2")
    page.get_by_label(f"Parents venus : {other_name}").fill("0")
    page.get_by_role("button", name="Enregistrer la présence").click()
    expect(page.get_by_role("status")).to_have_text("La présence est enregistrée.")
    expect(page.locator("dl")).to_contain_text("3 venus")

    # The needs questionnaire, to who came: Aurélie left an address, the family did not.
    here = page.url.split("?")[0]
    page.get_by_role("button", name="Envoyer le questionnaire des besoins").click()
    expect(page.get_by_role("status")).to_have_text(
        "Questionnaire des besoins : 1 envoi par courriel ; 1 inscription venue sans adresse "
        "électronique, à joindre autrement."
    )
    accessible(page)
    page.get_by_role("button", name="Envoyer le questionnaire des besoins").click()
    expect(page.get_by_role("status")).to_have_text(
        "Questionnaire des besoins : aucun nouvel envoi ; 1 inscription l'avait déjà reçu ; "
        "1 inscription venue sans adresse électronique, à joindre autrement."
    )

    # Aurélie answers from the link in her mail, without an account.
    link = _mailed_link(live, f"aurelie{mark}@exemple.example")
    page.goto(link)
    expect(page.locator("h1")).to_contain_text("Besoins des familles")
    for key, value in (
        ("themes", "school"),
        ("themes", "siblings"),
        ("times", "saturday_morning"),
        ("place", "own_commune"),
        ("childcare", "yes"),
        ("usefulness", "4"),
    ):
        page.locator(f'input[name="{key}"][value="{value}"]').check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.locator("h1")).to_have_text("Merci !")

    # This year's page: one answer, said as too few for shares.
    page.goto(f"{live.base_url}/ateliers-udaf")
    needs = page.get_by_role("region", name="Ce que les familles demandent pour l'an prochain")
    expect(needs.locator(".needs-summary")).to_have_text(
        "1 réponse au questionnaire des besoins : trop peu (moins de 5) pour en tirer des parts"
    )
    expect(needs.get_by_role("table")).to_have_count(0)
    accessible(page)
    page.goto(here)

    # Another one next week, below its minimum: the home page says so; it is cancelled.
    page.get_by_role("link", name=re.compile("Ateliers")).first.click()
    soon = today + dt.timedelta(days=5)
    if soon.year == today.year:
        _plan(page, f"Fratrie {mark}", soon, "5")
        page.get_by_role("link", name="Aujourd'hui").first.click()
        alert = page.locator("[data-plugin=udaf_workshops]")
        expect(alert).to_contain_text(f"Fratrie {mark}")
        accessible(page)
        alert.get_by_role("link", name=re.compile(f"Fratrie {mark}")).click()
        page.select_option("#status", value="cancelled")
        page.get_by_role("button", name="Enregistrer le statut").click()
        expect(page.locator("#reason-error")).to_be_visible()
        page.select_option("#status", value="cancelled")
        page.select_option("#reason", value="too_few_participants")
        page.get_by_role("button", name="Enregistrer le statut").click()
        expect(page.get_by_role("status")).to_contain_text("L'atelier est annulé")
        expect(page.locator("#statut-actuel")).to_have_text("Annulé — faute de participants")
        page.goto(f"{live.base_url}/ateliers-udaf")
        expect(page.locator(".outcome").first).to_have_text(
            "1 atelier maintenu sur les 5 prévus, faute de participants"
        )


def test_a_pole_without_the_plugin_has_no_entry_and_gets_404(
    browser: Browser, live: LiveServer
) -> None:
    page = signed_in(browser, live, OTHER_POLE)
    try:
        nav = page.get_by_role("navigation", name=NAV)
        expect(nav.get_by_role("link", name="Ateliers UDAF")).to_have_count(0)
        expect(page.locator("[data-plugin=udaf_workshops]")).to_have_count(0)
        response = page.goto(f"{live.base_url}/ateliers-udaf")
        assert response is not None and response.status == 404
    finally:
        page.context.close()
