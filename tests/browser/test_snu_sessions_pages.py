"""The snu_sessions plugin in Chromium (issue 19, « done when »): the Pas-de-Calais pole
records an SNU day with three groups, programs its quiz and shows the QR code; young
people answer the « before » and « after » questionnaires on 390 px phones, without an
account (a pairing code kept between the two); the session then shows the change. The
Puy-de-Dôme pole (which did not enable the module) has no « Journées SNU » entry and gets
404 on its pages and on its public address. axe-core on every page, the phone's included."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, ItemKind
from tests.browser.test_web_app import COORDINATOR, OTHER_POLE, serious_violations, signed_in
from tests.live import LiveServer

NAV = "Navigation principale"
PARIS = ZoneInfo("Europe/Paris")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# The module's threshold (setting min_answers, 20 by default): the rest of the room
# answers through the same public form, posted directly.
ROOM = 21


@pytest.fixture
def coordinator_62(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, OTHER_POLE)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def local(moment: dt.datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def form_of(phase: str, right: bool) -> dict[str, str]:
    form = {"phase": phase}
    for item in DEFAULT_QUIZ:
        if item.kind is ItemKind.KNOWLEDGE:
            assert item.right is not None
            form[item.key] = str(item.right if right else (item.right + 1) % len(item.choices))
        else:
            form[item.key] = "4" if right != item.reverse else "1"
    return form


def answer_on_phone(phone: Page, url: str, *, right: bool, keep_code: bool = False) -> None:
    """Choose an answer to every question with the touch screen, as a young person."""
    phone.goto(url)
    for item in DEFAULT_QUIZ:
        group = phone.locator(f"#q-{item.key}")
        if item.kind is ItemKind.KNOWLEDGE:
            assert item.right is not None
            choice = item.right if right else (item.right + 1) % len(item.choices)
            group.get_by_label(item.choices[choice], exact=True).tap()
        else:
            label = "Tout à fait d'accord" if right != item.reverse else "Pas du tout d'accord"
            group.get_by_label(label, exact=True).tap()
    if keep_code:
        phone.get_by_label(re.compile("Je veux un code au hasard")).tap()
    phone.get_by_role("button", name="Envoyer mes réponses").tap()


def test_an_snu_day_from_recording_to_the_change(
    coordinator_62: Page, browser: Browser, live: LiveServer
) -> None:
    page = coordinator_62
    today = dt.date.today()
    centre = f"Centre SNU d'essai {random.randrange(1000, 10000)}"
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Journées SNU").click()
    expect(page.locator("h1")).to_have_text(f"Journées SNU {today.year}")
    accessible(page)

    page.get_by_role("link", name="Nouvelle journée").first.click()
    accessible(page)
    page.fill("#centre", centre)
    page.fill("#startsOn", today.isoformat())
    page.get_by_role("button", name="Enregistrer la journée").click()
    expect(page.locator("#commune-error")).to_be_visible()
    expect(page.locator("#centre")).to_have_value(centre)  # kept
    accessible(page)
    page.fill("#commune", "Calais")
    page.get_by_role("button", name="Enregistrer la journée").click()
    expect(page.get_by_role("status")).to_have_text("La session est enregistrée.")
    expect(page.locator("h1")).to_have_text(centre)
    session_url = page.url

    for name, size in (("Maisonnée A", 34), ("Maisonnée B", 33), ("Maisonnée C", 32)):
        page.get_by_text("Ajouter un groupe").click()
        page.fill("#name", name)
        page.fill("#size", str(size))
        page.get_by_role("button", name="Ajouter le groupe").click()
        expect(page.get_by_role("status")).to_have_text("Le groupe est enregistré.")
    expect(page.get_by_role("table", name="3 groupes")).to_contain_text("Maisonnée C")
    page.get_by_text("Noter les présents").click()
    page.get_by_label("Maisonnée A : présents sur 34").fill("40")
    page.get_by_role("button", name="Enregistrer les présents").click()
    expect(page.locator(".error-summary, [role=alert]").first).to_contain_text("40 présents")
    page.get_by_label("Maisonnée A : présents sur 34").fill("33")
    page.get_by_role("button", name="Enregistrer les présents").click()
    expect(page.get_by_role("status")).to_have_text("Les présents sont enregistrés.")
    accessible(page)

    now = dt.datetime.now(dt.UTC)
    page.fill("#beforeOpensAt", local(now - dt.timedelta(hours=1)))
    page.fill("#beforeClosesAt", local(now + dt.timedelta(hours=1)))
    page.fill("#afterOpensAt", local(now + dt.timedelta(hours=2)))
    page.fill("#afterClosesAt", local(now + dt.timedelta(hours=4)))
    page.get_by_role("button", name="Programmer le questionnaire").click()
    expect(page.get_by_role("status")).to_have_text("Le questionnaire est programmé.")
    expect(page.locator("figure.qr svg")).to_be_visible()
    quiz_url = page.locator("a[href*='/p/pas-de-calais/snu_sessions/']").inner_text()
    page.get_by_role("link", name="Afficher le QR code pour la salle").click()
    expect(page.locator(".room-code")).to_be_visible()
    accessible(page)

    # The room, on phones: no account, 390 px, nothing wider than the screen.
    phone_context = browser.new_context(locale="fr-FR", bypass_csp=True, **PHONE)  # type: ignore[arg-type]
    phone = phone_context.new_page()
    phone.goto(quiz_url)
    expect(phone.locator("h1")).to_have_text("Questionnaire du début")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    accessible(phone)
    # A question left out: refused, the choices made are kept, the question is named.
    phone.locator("#q-share_population").get_by_label("Environ 1 personne sur 6").tap()
    phone.get_by_role("button", name="Envoyer mes réponses").tap()
    expect(phone.locator(".error").first).to_contain_text("pas encore envoyée")
    expect(phone.locator("#q-share_population input:checked")).to_have_count(1)
    accessible(phone)
    answer_on_phone(phone, quiz_url, right=False, keep_code=True)
    expect(phone.get_by_role("status")).to_contain_text("Tes réponses sont enregistrées")
    code = phone.locator("p.code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    accessible(phone)
    for _ in range(ROOM - 1):
        answered = phone.request.post(quiz_url, form=form_of("before", right=False))
        assert answered.status == 200

    # The day goes on: staff closes « before » and opens « after ».
    page.goto(session_url)
    now = dt.datetime.now(dt.UTC)
    page.get_by_text("Déplacer les fenêtres du questionnaire").click()
    page.fill("#beforeClosesAt", local(now - dt.timedelta(minutes=1)))
    page.fill("#beforeOpensAt", local(now - dt.timedelta(hours=2)))
    page.fill("#afterOpensAt", local(now - dt.timedelta(minutes=1)))
    page.fill("#afterClosesAt", local(now + dt.timedelta(hours=2)))
    page.get_by_role("button", name="Enregistrer les fenêtres").click()
    expect(page.get_by_role("status")).to_have_text("Le questionnaire est programmé.")

    answer_on_phone(phone, quiz_url, right=True)
    expect(phone.locator("h1")).to_have_text("Merci !")
    phone.goto(quiz_url)
    expect(phone.locator("h1")).to_have_text("Questionnaire de fin")
    phone.get_by_label("Ton code du matin (facultatif)").fill(code.lower())
    answer_on_phone_keep = form_of("after", right=True)
    for item in DEFAULT_QUIZ:
        value = answer_on_phone_keep[item.key]
        phone.locator(f"#q-{item.key} input[value='{value}']").tap()
    phone.get_by_role("button", name="Envoyer mes réponses").tap()
    expect(phone.get_by_role("status")).to_contain_text("Tes réponses sont enregistrées")
    # The same code twice: refused, counted.
    again = phone.request.post(quiz_url, form={**form_of("after", True), "code_appariement": code})
    assert again.status == 409
    for _ in range(ROOM - 2):
        assert phone.request.post(quiz_url, form=form_of("after", right=True)).status == 200
    phone_context.close()

    page.goto(session_url)
    windows = page.get_by_role("table", name="Fenêtres d'ouverture et réponses")
    expect(windows.get_by_role("row", name=re.compile("Avant la journée"))).to_contain_text(
        f"{ROOM} ("
    )
    expect(windows.get_by_role("row", name=re.compile("Après la journée"))).to_contain_text(
        "1 code déjà utilisé"
    )
    results = page.locator("#resultats + p")
    expect(results).to_contain_text(f"{ROOM} réponses avant, {ROOM} après, dont 1 paire")
    shown = page.get_by_role("table", name=re.compile("Par question"))
    row = shown.get_by_role("row", name=re.compile("quelle part ne se voit pas"))
    expect(row).to_contain_text("0 %")
    expect(row).to_contain_text("100 %")
    expect(row).to_contain_text("+100 pts")
    expect(row).to_contain_text("non apparié")
    accessible(page)


def test_a_pole_without_the_module_has_no_snu_screens(browser: Browser, live: LiveServer) -> None:
    page = signed_in(browser, live, COORDINATOR)
    try:
        nav = page.get_by_role("navigation", name=NAV)
        expect(nav).to_be_visible()
        expect(nav.get_by_role("link", name="Journées SNU")).to_have_count(0)
        assert page.goto(f"{live.base_url}/snu").status == 404  # type: ignore[union-attr]
        public = page.goto(f"{live.base_url}/p/puy-de-dome/snu_sessions/")
        assert public is not None and public.status == 404
    finally:
        page.context.close()
