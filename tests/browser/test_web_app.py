"""The staff web app in Chromium, against the real demo server: a coordinator's day
(« Aujourd'hui », recording a request after a mistake, finding it again), a family's
file and who sees its health data, a pole's wall, axe-core on every page, 390 px,
the keyboard alone, and the screenshots of the user guide."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Error, Page, expect

from tests.browser.conftest import Api
from tests.browser.test_sign_in import sign_in
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# The user guide's pictures are taken by this suite. A plain run writes them to a
# temporary folder (a test run must not change tracked files: the home page shows the
# day's date and the requests the tests made); `make screenshots` writes them into
# docs/screenshots, and a test checks every picture the guide names exists there.
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
COORDINATOR = "coordinator@puy-de-dome.maillage.example"
STAFF = "staff@puy-de-dome.maillage.example"
OTHER_POLE = "coordinator@pas-de-calais.maillage.example"
BOTH_POLES = "coordination@maillage.example"


def signed_in(browser: Browser, live: LiveServer, email: str, **options: object) -> Page:
    # bypass_csp: axe-core is injected as a script, which the pages' policy forbids.
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live, email)
    page.wait_for_url(f"{live.base_url}/")
    return page


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


NAVIGATION_SIGNS = (
    "reading 'appendChild'",
    "Execution context was destroyed",
    "navigat",
)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations of the page as it stands."""
    if not AXE.exists():
        pytest.fail(f"axe-core absent ({AXE}): run make test-deps")
    # A link clicked just before may still be loading its page: injecting axe then
    # finds no document head, or the page is replaced while axe runs. Wait for the
    # page to settle and run again; any other error is the test's to see.
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(
                """async () => (await axe.run(document, {resultTypes: ['violations']}))
                     .violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
            )
            return list(found)
        except Error as error:
            navigating = any(sign in error.message for sign in NAVIGATION_SIGNS)
            if attempt == 2 or not navigating:
                raise
    raise AssertionError("unreachable")


def durand_file(page: Page, live: LiveServer) -> str:
    page.goto(f"{live.base_url}/familles?recherche=Durand")
    page.get_by_role("link", name="Famille Durand").click()
    expect(page.locator("h1")).to_have_text("Famille Durand")
    return page.url


def test_a_page_asked_without_a_session_comes_back_after_sign_in(
    page: Page, live: LiveServer
) -> None:
    page.goto(f"{live.base_url}/demandes?statut=new")
    assert "/auth/login?next=" in page.url
    page.fill("#email", COORDINATOR)
    page.fill("#password", "maillage-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live.base_url}/demandes?statut=new")
    expect(page.locator("h1")).to_have_text("Demandes")


def test_the_coordinator_records_a_request_after_a_mistake_and_finds_it_again(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    expect(page.locator("h1")).to_contain_text("Aujourd'hui")
    expect(page.locator("header")).to_contain_text("Pôle Ressources Petite Enfance du Puy-de-Dôme")
    page.get_by_role("navigation").get_by_role("link", name="Demandes").click()
    page.get_by_role("link", name="Enregistrer une demande").click()

    # The mistake: who asked is left empty; everything else is filled in.
    page.select_option("#requesterKind", label="Famille")
    page.select_option("#channel", label="Téléphone")
    page.get_by_label("Recherche d'un mode d'accueil").check()
    page.fill("#description", "Cherche une crèche pour septembre, enfant avec un TSA.")
    page.select_option("#familyId", label="Famille Durand")
    page.get_by_role("button", name="Enregistrer la demande").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text("Qui fait la demande ?")
    expect(page.locator("#requesterName-error")).to_contain_text("Qui fait la demande ?")
    expect(page.locator("#requesterName")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_title(re.compile("^Erreur : "))
    # Nothing typed is lost.
    expect(page.locator("#description")).to_have_value(
        "Cherche une crèche pour septembre, enfant avec un TSA."
    )
    expect(page.get_by_label("Recherche d'un mode d'accueil")).to_be_checked()
    expect(page.locator("#familyId option:checked")).to_have_text("Famille Durand")
    summary.get_by_role("link").click()
    expect(page.locator("#requesterName")).to_be_focused()

    name = f"Mme Durand {uuid.uuid4().hex[:6]}"
    page.fill("#requesterName", name)
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url(re.compile(r"/demandes\?ok=recorded$"))
    expect(page.get_by_role("status")).to_have_text("La demande est enregistrée.")
    page.get_by_role("link", name=name).click()
    expect(page.locator("h1")).to_have_text(f"Demande de {name}")
    expect(page.locator("main")).to_contain_text("Recherche d'un mode d'accueil")

    page.get_by_role("navigation").get_by_role("link", name="Aujourd'hui").click()
    expect(page.locator("#attente").locator("xpath=..")).to_contain_text(name)

    # Answered from its page: it leaves the list of requests waiting.
    page.get_by_role("link", name=name).click()
    page.fill("#answer", "Orientée vers la crèche de Riom, rappel dans 15 jours.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_role("status")).to_have_text("La réponse est enregistrée.")
    expect(page.locator("main")).to_contain_text("Réponse apportée")


def test_the_request_form_is_completed_with_the_keyboard_alone(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    page.goto(f"{live.base_url}/demandes/nouvelle")

    def tab_to(selector: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"{selector} never reached with Tab")

    name = f"Crèche au clavier {uuid.uuid4().hex[:6]}"
    tab_to("#requesterName")
    page.keyboard.type(name)
    tab_to("input[name=subjects]")
    page.keyboard.press("Space")
    # Past the pickers' « Chercher » buttons, to the form's own.
    tab_to(".actions button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/demandes\?ok=recorded$"))
    expect(page.get_by_role("link", name=name)).to_be_visible()


def test_a_family_file_shows_health_data_only_to_those_with_the_grant(
    coordinator: Page, browser: Browser, live: LiveServer
) -> None:
    url = durand_file(coordinator, live)
    main = coordinator.locator("main")
    expect(main).to_contain_text("Représentants légaux")
    expect(main).to_contain_text("Consentements")
    expect(main).to_contain_text("Zoé")
    expect(main).to_contain_text("Diagnostic")

    staff = signed_in(browser, live, STAFF)
    try:
        staff.goto(url)
        expect(staff.locator("h1")).to_have_text("Famille Durand")
        expect(staff.locator("main")).to_contain_text("Zoé")
        expect(staff.locator("main")).not_to_contain_text("Diagnostic")
        expect(staff.locator("main")).not_to_contain_text("Notes de santé")
        assert staff.locator(".sensitive").count() == 0
    finally:
        staff.context.close()


def test_another_poles_member_gets_not_found_on_the_family_url(
    coordinator: Page, browser: Browser, live: LiveServer
) -> None:
    url = durand_file(coordinator, live)
    other = signed_in(browser, live, OTHER_POLE)
    try:
        answer = other.goto(url)
        assert answer is not None and answer.status == 404
        expect(other.locator("main")).not_to_contain_text("Durand")
        # The pages that keep the file, and its personal data page, are not found either.
        family = quote(url.rsplit("/familles/", 1)[1], safe="")
        for path in (
            f"/familles/corriger?famille={family}",
            f"/familles/enfant?famille={family}",
            f"/donnees-personnelles?famille={family}",
        ):
            answer = other.goto(f"{live.base_url}{path}")
            assert answer is not None and answer.status == 404, path
            expect(other.locator("main")).not_to_contain_text("Durand")
    finally:
        other.context.close()


def test_a_family_is_found_by_a_childs_first_name(coordinator: Page, live: LiveServer) -> None:
    """« Rechercher une famille » finds a file by a child's first name too, typed without
    its accent: the Durands by « zoe » (their Zoé); what was typed stays in the field."""
    page = coordinator
    page.goto(f"{live.base_url}/familles")
    search = page.get_by_role("search")
    search.get_by_label("Rechercher une famille").fill("zoe")
    search.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#recherche")).to_have_value("zoe")
    page.get_by_role("link", name="Famille Durand").click()
    expect(page.locator("h1")).to_have_text("Famille Durand")
    expect(page.locator("main")).to_contain_text("Zoé")


def test_a_family_is_opened_with_its_commune_given_by_name(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    page.goto(f"{live.base_url}/familles/nouvelle")
    name = f"Famille Essai {uuid.uuid4().hex[:6]}"
    page.fill("#name", name)
    page.fill("#commune", "Commune qui n'existe pas")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.locator("#commune-error")).to_contain_text("Aucune commune")
    expect(page.locator("#name")).to_have_value(name)
    page.fill("#commune", "riom")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.get_by_role("status")).to_have_text("Le dossier de la famille est ouvert.")
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("main")).to_contain_text("Riom")


def test_navigation_shows_only_what_the_person_may_use(browser: Browser, live: LiveServer) -> None:
    # A person of two poles chooses one first, then may switch from any page.
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    both = context.new_page()
    try:
        sign_in(both, live, BOTH_POLES)
        both.wait_for_url(f"{live.base_url}/pole")
        expect(both.locator("h1")).to_have_text("Choisir un pôle")
        assert serious_violations(both) == []
        both.get_by_role(
            "button", name="Travailler dans Pôle Ressources Petite Enfance du Puy-de-Dôme"
        ).click()
        expect(both.get_by_role("status")).to_have_text("Vous travaillez maintenant dans ce pôle.")
        nav = both.get_by_role("navigation", name="Navigation principale")
        assert nav.get_by_role("link").all_inner_texts() == [
            "Aujourd'hui",
            "Demandes",
            "Suivis",
            "Familles",
            "Annuaire",
            "Adhésions",
            "Malles",
            "Sensibilisations",
            "Événements",
            "Référents",  # the referent_charters plugin, enabled by this pole
            "Ateliers UDAF",  # the udaf_workshops plugin, enabled by this pole too
            "Plan d'action",
            "Rapport d'activité",
            "Membres",  # the coordination reads the pole's members
        ]
        both.get_by_role("link", name="Changer de pôle").click()
        expect(both.locator("h1")).to_have_text("Changer de pôle")
        expect(both.locator("main")).to_contain_text("(pôle en cours)")
    finally:
        both.context.close()


def test_every_page_passes_axe_core(coordinator: Page, live: LiveServer) -> None:
    page = coordinator
    family = durand_file(page, live)
    page.goto(f"{live.base_url}/demandes")
    page.locator("tbody a").first.click()
    request = page.url
    pages = [
        "/",
        "/demandes",
        "/demandes?statut=new",
        "/demandes/nouvelle",
        request,
        "/familles",
        "/familles?recherche=Durand",
        "/familles/nouvelle",
        family,
    ]
    failures = {}
    for path in pages:
        page.goto(path if path.startswith("http") else f"{live.base_url}{path}")
        found = serious_violations(page)
        if found:
            failures[path] = found
    # And a form that came back with its errors.
    page.goto(f"{live.base_url}/demandes/nouvelle")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.locator(".error-summary")).to_be_visible()
    found = serious_violations(page)
    if found:
        failures["form with errors"] = found
    assert failures == {}


def test_at_390_pixels_wide_nothing_overflows_and_the_screenshots_are_taken(
    browser: Browser, live: LiveServer, tmp_path: Path
) -> None:
    shots = DOC_SCREENSHOTS if os.environ.get("MAILLAGE_WRITE_SCREENSHOTS") else tmp_path
    page = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        for path in (
            "/",
            "/demandes",
            "/demandes/nouvelle",
            "/suivis",
            "/familles",
            "/annuaire",
            "/evenements",
            "/referents",
            "/rapport?annee=2025",
            "/membres",
        ):
            page.goto(f"{live.base_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
            assert serious_violations(page) == [], path
    finally:
        page.context.close()

    # The user guide's pictures, at a desktop width.
    wide = signed_in(browser, live, COORDINATOR, viewport={"width": 1200, "height": 900})
    try:
        shots.mkdir(parents=True, exist_ok=True)
        wide.screenshot(path=str(shots / "app-aujourdhui.png"), full_page=True)
        wide.goto(f"{live.base_url}/demandes/nouvelle")
        wide.get_by_role("button", name="Enregistrer la demande").click()
        expect(wide.locator(".error-summary")).to_be_visible()
        wide.screenshot(path=str(shots / "app-demande.png"), full_page=True)
        wide.goto(f"{live.base_url}/suivis")
        wide.screenshot(path=str(shots / "app-suivis.png"), full_page=True)
        durand_file(wide, live)
        wide.screenshot(path=str(shots / "app-famille.png"), full_page=True)
        wide.goto(f"{live.base_url}/annuaire/doublons")
        wide.screenshot(path=str(shots / "app-doublons.png"), full_page=True)
        wide.goto(f"{live.base_url}/referents")
        wide.screenshot(path=str(shots / "app-referents.png"), full_page=True)
        wide.goto(f"{live.base_url}/rappels")
        wide.screenshot(path=str(shots / "app-rappels.png"), full_page=True)
        wide.goto(f"{live.base_url}/annuaire")
        wide.locator("tbody a").first.click()
        wide.get_by_role("link", name="Corriger la fiche").click()
        wide.screenshot(path=str(shots / "app-structure-corriger.png"), full_page=True)
        wide.goto(f"{live.base_url}/plan-action?annee=2026")
        wide.screenshot(path=str(shots / "app-plan-action.png"), full_page=True)
    finally:
        wide.context.close()
    assert (shots / "app-aujourdhui.png").stat().st_size > 0


FOLLOW_UPS = """{ followUps(first: 100) { edges { node { id status { value }
  child { id } structures { id } interventions(last: 50) { id } } } } }"""
WRITE_PLAN = """mutation($input: WriteReceptionPlanInput!) { writeReceptionPlan(input: $input) {
  plan { id } errors { code field message } } }"""
LOAN_OUT = '{ kitLoans(statuses: ["out"], first: 1) { edges { node { id } } } }'
INVOICED_FAMILY = """{ invoices(statuses: ["issued", "paid"], first: 1) {
  edges { node { familyId } } } }"""


def record_pages(api: Api) -> dict[str, str]:
    """The pages of one record each (name -> path): the follow-up with the longest
    timeline (and a reception plan written for its child), a loan out, a family whose
    adhesions are invoiced."""
    edges = api(FOLLOW_UPS)["followUps"]["edges"]  # type: ignore[index]
    follow_up = max(
        (e["node"] for e in edges if e["node"]["status"]["value"] == "open"),
        key=lambda node: len(node["interventions"]),
    )
    today = dt.date.today()
    content = {
        "needs": "Repères visuels et rythme prévisible ; temps calme après le repas (fictif).",
        "habits": "Sieste avec son doudou, à 13 h.",
        "communication": "Pictogrammes pour les moments de la journée.",
        "careInstructions": "Aucun soin pendant l'accueil.",
        "adaptations": "Coin calme aménagé dans la section des moyens.",
        "equipment": "Casque anti-bruit prêté par le pôle.",
        "adaptationPeriods": [
            {
                "startsOn": (today + dt.timedelta(days=7)).isoformat(),
                "endsOn": (today + dt.timedelta(days=21)).isoformat(),
                "description": "Accueil progressif, matinées seulement.",
            }
        ],
        "reviewDates": [(today + dt.timedelta(days=90)).isoformat()],
    }
    written = api(
        WRITE_PLAN,
        input={
            "childId": follow_up["child"]["id"],
            "structureId": follow_up["structures"][0]["id"],
            "content": content,
        },
    )["writeReceptionPlan"]
    assert written["errors"] == [], written  # type: ignore[index]
    plan = written["plan"]["id"]  # type: ignore[index]
    loan = api(LOAN_OUT)["kitLoans"]["edges"][0]["node"]["id"]  # type: ignore[index]
    family = api(INVOICED_FAMILY)["invoices"]["edges"][0]["node"]["familyId"]  # type: ignore[index]
    family_id = base64.b64encode(f"Family:{family}".encode()).decode()
    return {
        "suivi": f"/suivis/{follow_up['id']}",
        "projet-accueil": f"/projets-accueil/{plan}?suivi={quote(follow_up['id'], safe='')}",
        "pret": f"/prets/{loan}",
        "famille-adhesions": f"/familles/{family_id}",
    }


def test_the_record_pages_at_390_pixels_wide_and_their_screenshots(
    browser: Browser, live: LiveServer, coordinator_api: Api, tmp_path: Path
) -> None:
    """A family's file, a request, a follow-up, its reception plan, a kit, a loan and
    the sessions: nothing overflows at 390 px, axe-core finds nothing; then the user
    guide's pictures of them."""
    shots = DOC_SCREENSHOTS if os.environ.get("MAILLAGE_WRITE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    records = record_pages(coordinator_api)
    page = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        paths = dict(records)
        paths["famille"] = durand_file(page, live).removeprefix(live.base_url)
        page.goto(f"{live.base_url}/demandes")
        page.locator("tbody a").first.click()
        paths["demande"] = page.url.removeprefix(live.base_url)
        page.goto(f"{live.base_url}/malles")
        page.locator("main a[href^='/malles/']:not([href^='/malles/reserver'])").first.click()
        paths["malle"] = page.url.removeprefix(live.base_url)
        paths["sensibilisations"] = "/sensibilisations"
        wide_pages = {}
        for name, path in paths.items():
            page.goto(f"{live.base_url}{path}")
            expect(page.locator("h1")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{name} ({path}) is {width} px wide"
            assert serious_violations(page) == [], path
            wide_pages[name] = path
    finally:
        page.context.close()

    wide = signed_in(browser, live, COORDINATOR, viewport={"width": 1200, "height": 900})
    try:
        for name in ("suivi", "projet-accueil", "malle", "pret", "sensibilisations"):
            wide.goto(f"{live.base_url}{wide_pages[name]}")
            wide.screenshot(path=str(shots / f"app-{name}.png"), full_page=True)
        wide.goto(f"{live.base_url}{wide_pages['famille-adhesions']}")
        adhesions = wide.locator("section", has=wide.get_by_role("heading", name="Adhésions"))
        expect(adhesions).to_contain_text("facture")
        adhesions.screenshot(path=str(shots / "app-famille-adhesions.png"))
    finally:
        wide.context.close()
    assert (shots / "app-suivi.png").stat().st_size > 0


def test_every_picture_the_user_guide_shows_exists() -> None:
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    named = re.findall(r"\]\((screenshots/[^)]+\.png)\)", guide)
    assert named, "the guide shows the application's screens"
    assert [n for n in named if not (ROOT / "docs" / n).is_file()] == []


def test_a_partner_structure_sees_no_link_to_screens_it_cannot_use(
    browser: Browser, live: LiveServer
) -> None:
    partner = signed_in(browser, live, "partner-structure@puy-de-dome.maillage.example")
    try:
        nav = partner.get_by_role("navigation", name="Navigation principale")
        assert nav.get_by_role("link").all_inner_texts() == ["Aujourd'hui"]
        answer = partner.goto(f"{live.base_url}/familles")
        assert answer is not None and answer.status == 403
        expect(partner.locator("h1")).to_have_text("Accès refusé")
    finally:
        partner.context.close()
