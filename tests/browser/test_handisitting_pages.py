"""The handisitting plugin's staff screens in Chromium, contributed through the page
hooks as an integrator would. The Pas-de-Calais pole records a student's application,
her documents seen on the original and her vetting; records a family's request for
their child; reads the ranked candidates with each score explained, proposes her,
records her answer, the first meeting and the family's agreement; marks the first
sitting done and records the family's feedback. The Puy-de-Dôme pole (which did not
enable the plugin) gets 404. axe-core on every page."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, OTHER_POLE, serious_violations, signed_in
from tests.live import LiveServer

NAV = "Navigation principale"


@pytest.fixture
def pas_de_calais(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, OTHER_POLE)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_a_student_is_vetted_matched_booked_and_the_sitting_rated(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    today = dt.date.today()
    last = f"Essai{random.randrange(100, 100000)}"
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Handisitting").click()
    expect(page.locator("h1")).to_have_text("Intervenant·es de garde à domicile")
    accessible(page)

    # The application: a mistake first, kept input and the field's message.
    page.get_by_role("link", name="Enregistrer une candidature").click()
    accessible(page)
    page.fill("#firstName", "Lou")
    page.fill("#lastName", last)
    page.fill("#email", "pas-une-adresse")
    page.fill("#commune", "Béthune")
    page.fill("#travelKm", "30")
    page.select_option("#background", label="Études médico-sociales")
    page.get_by_label("Troubles du spectre de l'autisme").check()
    for day in range(7):
        page.fill(f"#start{day}", "08:00")
        page.fill(f"#end{day}", "20:00")
    page.get_by_role("button", name="Enregistrer la candidature").click()
    expect(page.locator("#email-error")).to_contain_text("Adresse électronique invalide")
    expect(page.locator("#lastName")).to_have_value(last)
    accessible(page)
    page.fill("#email", f"lou.{last.lower()}@exemple.invalid")
    page.get_by_role("button", name="Enregistrer la candidature").click()
    expect(page.get_by_role("status")).to_have_text("La candidature est enregistrée.")
    expect(page.locator("h1")).to_have_text(f"Lou {last}")
    accessible(page)

    # Her documents, seen on the original, then checked; the vetting, step by step.
    for kind in ("Pièce d'identité", "Extrait de casier judiciaire (bulletin n° 3)"):
        page.select_option("#kind", label=kind)
        page.fill("#issuedOn", (today - dt.timedelta(days=20)).isoformat())
        page.fill("#expiresOn", (today + dt.timedelta(days=340)).isoformat())
        page.get_by_role("button", name="Enregistrer la pièce").click()
        expect(page.get_by_role("status")).to_have_text("La pièce est enregistrée.")
        page.get_by_role("button", name=f"Marquer vérifiée : {kind}").click()
        expect(page.get_by_role("status")).to_have_text("La pièce est marquée vérifiée.")
    for step in ("Entretien passé", "Pièces vérifiées", "Agréé·e"):
        page.select_option("#status", label=step)
        page.fill("#reason", f"{step} : vu avec la coordinatrice")
        page.get_by_role("button", name="Enregistrer l'étape").click()
        expect(page.get_by_role("status")).to_have_text("L'étape de l'agrément est enregistrée.")
    expect(page.locator(".facts")).to_contain_text("Agréé·e")
    accessible(page)

    # The family's request: every week from today, for three weeks.
    tabs = page.get_by_role("navigation", name="Handisitting")
    tabs.get_by_role("link", name="Demandes des familles").click()
    accessible(page)
    page.get_by_role("link", name="Enregistrer une demande").click()
    accessible(page)
    page.select_option("#child", index=1)
    page.fill("#needs", "Autiste, il a besoin de son emploi du temps visuel.")
    page.get_by_label("Troubles du spectre de l'autisme").check()
    page.fill("#firstOn", today.isoformat())
    page.select_option("#weekly", value="oui")
    page.fill("#lastOn", (today + dt.timedelta(weeks=2)).isoformat())
    page.fill("#startsAt", "14:00")
    page.fill("#endsAt", "17:30")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.get_by_role("status")).to_have_text("La demande est enregistrée.")
    accessible(page)

    # Her score, explained part by part; proposed (confirming any warning).
    candidate = page.locator("section.candidate", has_text=f"Lou {last}")
    expect(candidate.get_by_role("row", name=re.compile("^Compétences demandées"))).to_contain_text(
        "40,0 / 40"
    )
    expect(candidate).to_contain_text("km à vol d'oiseau")
    if candidate.get_by_role("checkbox").count():
        candidate.get_by_role("checkbox").check()
    candidate.get_by_role("button", name=f"Proposer Lou {last}").click()
    expect(page.get_by_role("status")).to_have_text("C'est enregistré.")
    row = page.get_by_role("row", name=re.compile(f"Lou {last}"))
    for button, status in (
        ("A accepté", "Acceptée par l'intervenant·e"),
        ("Première rencontre faite aujourd'hui", "Première rencontre faite"),
        ("La famille est d'accord : convenir la garde", "Garde convenue avec la famille"),
    ):
        row.get_by_role("button", name=re.compile(f"^{re.escape(button)}")).click()
        expect(row).to_contain_text(status)
    accessible(page)

    # The first sitting done, and the family's feedback.
    sittings = page.get_by_role("table", name="Gardes")
    first = sittings.get_by_role("row").nth(1)
    first.get_by_role("button", name=re.compile("^Faite")).click()
    expect(first).to_contain_text("Faite")
    first.get_by_label("Note de la famille (1 à 4)").select_option("4")
    first.get_by_label("Commentaire").fill("Il l'attendait à la fenêtre.")
    first.get_by_role("button", name="Enregistrer l'avis de la famille").click()
    expect(first).to_contain_text("La famille : 4/4")
    accessible(page)


def test_a_pole_without_the_plugin_gets_no_handisitting_page(
    browser: Browser, live: LiveServer
) -> None:
    other = signed_in(browser, live, COORDINATOR)
    try:
        nav = other.get_by_role("navigation", name=NAV)
        assert "Handisitting" not in nav.get_by_role("link").all_inner_texts()
        for path in ("/handisitting", "/handisitting/demandes", "/handisitting/mes-gardes"):
            answer = other.goto(f"{live.base_url}{path}")
            assert answer is not None and answer.status == 404, path
    finally:
        other.context.close()
