"""The snu_sessions plugin in Chromium (issue 19, « done when »): the Pas-de-Calais pole
records an SNU day with three groups, programs its quiz and shows the QR code; young
people answer the « before » and « after » questionnaires on 390 px phones, without an
account (a pairing code kept between the two); the session then shows the change. The
Puy-de-Dôme pole (which did not enable the module) has no « Journées SNU » entry and gets
404 on its pages and on its public address. A manager corrects a day and its groups,
removes a group recorded by mistake, cancels a day and reinstates it; the demo days name
their facilitators and kits. axe-core on every page, the phone's included."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, ItemKind
from tests.browser.conftest import Api
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
    # The kits' picker (decision 218): « Chercher » narrows the list by the name typed,
    # keeps what was typed and saves nothing; the kit found is ticked and taken.
    kit = page.locator('label[for="kitIds-1"]').inner_text()
    page.fill("#malle", kit)
    page.locator("#kitIds").get_by_role("button", name="Chercher").click()
    expect(page.locator("#malle-hint")).to_contain_text(f"« {kit} »")
    expect(page.locator("#centre")).to_have_value(centre)
    expect(page.locator("#commune")).to_have_value("Calais")
    page.locator("#kitIds").get_by_label(kit, exact=True).check()
    accessible(page)
    page.get_by_role("button", name="Enregistrer la journée").click()
    expect(page.get_by_role("status")).to_have_text("La session est enregistrée.")
    expect(page.locator("h1")).to_have_text(centre)
    expect(page.locator("dd", has_text=kit)).to_be_visible()
    session_url = page.url

    partner = ""
    for name, size in (("Maisonnée A", 34), ("Maisonnée B", 33), ("Maisonnée C", 32)):
        page.get_by_text("Ajouter un groupe").click()
        page.fill("#name", name)
        page.fill("#size", str(size))
        if not partner:
            # The partners' picker (decision 218): found by the name typed, the group's
            # fields kept, nothing saved; the partner found is ticked and animates it.
            partner = page.locator('label[for="partnerIds-1"]').inner_text()
            page.fill("#partenaire", partner)
            page.locator("#partnerIds").get_by_role("button", name="Chercher").click()
            expect(page.locator("#partenaire-hint")).to_contain_text(f"« {partner} »")
            expect(page.locator("#name")).to_have_value(name)
            expect(page.locator("#size")).to_have_value(str(size))
            page.locator("#partnerIds").get_by_label(partner, exact=True).check()
            accessible(page)
        page.get_by_role("button", name="Ajouter le groupe").click()
        expect(page.get_by_role("status")).to_have_text("Le groupe est enregistré.")
    groups = page.get_by_role("table", name="3 groupes")
    expect(groups).to_contain_text("Maisonnée C")
    expect(groups.get_by_role("row", name=re.compile("Maisonnée A"))).to_contain_text(partner)
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


RECORD = """mutation($input: SnuSessionsSessionInput!, $id: ID) {
  snuSessionsRecordSession(input: $input, id: $id) {
    session { id groups { id name } } errors { code field message } } }"""
GROUP = """mutation($input: SnuSessionsGroupInput!) { snuSessionsRecordGroup(input: $input) {
  group { id } errors { code field message } } }"""
ATTENDANCE = """mutation($input: SnuSessionsAttendanceInput!) {
  snuSessionsRecordAttendance(input: $input) { errors { code field message } } }"""
CANCEL = """mutation($id: ID!) { snuSessionsCancelSession(id: $id, input: {reason: "other",
  note: "essai"}) { errors { code field message } } }"""


def _day(api: Api, centre: str, groups: tuple[tuple[str, int, int | None], ...]) -> str:
    """A day of today at Calais recorded over HTTP, with its groups and attendance."""
    today = dt.date.today().isoformat()
    given = {"centre": centre, "communeInsee": "62193", "startsOn": today, "endsOn": today}
    recorded = api(RECORD, input=given)["snuSessionsRecordSession"]
    assert recorded["errors"] == [], recorded  # type: ignore[index]
    session_id = str(recorded["session"]["id"])  # type: ignore[index]
    noted = []
    for name, size, present in groups:
        added = api(GROUP, input={"sessionId": session_id, "name": name, "size": size})
        group = added["snuSessionsRecordGroup"]
        assert group["errors"] == [], group  # type: ignore[index]
        if present is not None:
            noted.append({"groupId": group["group"]["id"], "present": present})  # type: ignore[index]
    if noted:
        done = api(ATTENDANCE, input={"sessionId": session_id, "groups": noted})
        assert done["snuSessionsRecordAttendance"]["errors"] == []  # type: ignore[index]
    return session_id


def test_a_manager_corrects_a_day_and_its_groups(coordinator_62: Page, live: LiveServer) -> None:
    page = coordinator_62
    api = Api(live, OTHER_POLE)
    try:
        centre = f"Centre SNU à corriger {random.randrange(1000, 10000)}"
        session_id = _day(api, centre, (("Groupe 1", 30, 28), ("Groupe 2", 25, None)))
        # Over HTTP, a correction with its dates reversed: coded, naming the field.
        today = dt.date.today()
        reversed_dates = {
            "centre": centre,
            "communeInsee": "62193",
            "startsOn": today.isoformat(),
            "endsOn": (today - dt.timedelta(days=1)).isoformat(),
        }
        refused = api(RECORD, input=reversed_dates, id=session_id)["snuSessionsRecordSession"]
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [  # type: ignore[index]
            ("VALIDATION", "input.endsOn")
        ]
    finally:
        api.http.close()
    page.goto(f"{live.base_url}/snu/sessions/{session_id}")

    # The day: dates reversed are refused next to the field, what was typed is kept.
    page.get_by_role("link", name="Corriger la journée").click()
    expect(page.locator("h1")).to_have_text("Corriger la journée")
    expect(page.locator("#commune")).to_have_value("Calais")
    accessible(page)
    renamed = centre.replace("à corriger", "corrigé")
    page.fill("#centre", renamed)
    page.fill("#endsOn", (today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Malle boccia et jeux adaptés").check()
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.locator("#endsOn-error")).to_contain_text("ne peut pas précéder")
    expect(page.locator("#centre")).to_have_value(renamed)
    expect(page.get_by_label("Malle boccia et jeux adaptés")).to_be_checked()
    accessible(page)
    page.fill("#endsOn", (today + dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_role("status")).to_have_text("La journée est corrigée.")
    expect(page.locator("h1")).to_have_text(renamed)
    expect(page.locator("dl.summary").first).to_contain_text("Malle boccia et jeux adaptés")

    # A group: its size cannot fall below the 28 present noted; then its facilitators.
    page.get_by_role("link", name="Corriger Groupe 1").click()
    expect(page.locator("#size")).to_have_value("30")
    accessible(page)
    page.fill("#name", "Maisonnée A")
    page.fill("#size", "20")
    page.get_by_label("Julien Petit (chargé de mission)").check()
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.locator("#size-error")).to_contain_text("28 présents")
    expect(page.locator("#name")).to_have_value("Maisonnée A")
    expect(page.get_by_label("Julien Petit (chargé de mission)")).to_be_checked()
    accessible(page)
    page.fill("#size", "31")
    partners = page.get_by_role("group", name="Animé par un partenaire")
    partner = partners.get_by_role("checkbox").first
    partner_name = partners.locator("label").first.inner_text()
    partner.check()
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_role("status")).to_have_text("Le groupe est corrigé.")
    groups = page.get_by_role("table", name="2 groupes")
    row = groups.get_by_role("row", name=re.compile("Maisonnée A"))
    expect(row).to_contain_text("Julien Petit")
    expect(row).to_contain_text(partner_name)
    expect(row).to_contain_text("31")

    # Removing: refused and explained while young people are counted in the group;
    # confirmed for the group recorded by mistake.
    page.get_by_role("link", name="Retirer Maisonnée A").click()
    expect(page.locator(".warning")).to_contain_text("28 présents sont notés")
    expect(page.get_by_role("button", name="Retirer le groupe")).to_have_count(0)
    accessible(page)
    page.go_back()
    page.get_by_role("link", name="Retirer Groupe 2").click()
    accessible(page)
    page.get_by_role("button", name="Retirer le groupe").click()
    expect(page.get_by_role("status")).to_have_text("Le groupe est retiré.")
    expect(page.get_by_role("table", name="1 groupe")).to_contain_text("Maisonnée A")

    # This day took place: it cannot be cancelled.
    page.get_by_role("link", name="Annuler la journée").click()
    page.get_by_label("Raison de l'annulation").select_option("snu_cancelled")
    page.get_by_role("button", name="Annuler la journée").click()
    expect(page.locator(".error-summary")).to_contain_text("la journée a eu lieu")


def test_a_manager_cancels_a_day_and_reinstates_it(coordinator_62: Page, live: LiveServer) -> None:
    page = coordinator_62
    api = Api(live, OTHER_POLE)
    try:
        centre = f"Centre SNU à annuler {random.randrange(1000, 10000)}"
        session_id = _day(api, centre, (("Groupe 1", 30, None),))
    finally:
        api.http.close()
    page.goto(f"{live.base_url}/snu/sessions/{session_id}")
    page.get_by_role("link", name="Annuler la journée").click()
    accessible(page)
    page.get_by_label("Raison de l'annulation").select_option("other")
    page.get_by_role("button", name="Annuler la journée").click()
    expect(page.locator("#note-error")).to_contain_text("Précisez la raison")
    expect(page.get_by_label("Raison de l'annulation")).to_have_value("other")
    accessible(page)
    page.fill("#note", "Le centre a fermé pour travaux.")
    page.get_by_role("button", name="Annuler la journée").click()
    expect(page.get_by_role("status")).to_have_text("La journée est annulée.")
    expect(page.locator("#annulation")).to_contain_text("Le centre a fermé pour travaux.")
    expect(page.get_by_text("Noter les présents")).to_have_count(0)
    accessible(page)
    page.get_by_role("link", name="Journées SNU").first.click()
    listed = page.get_by_role("row", name=re.compile(re.escape(centre)))
    expect(listed).to_contain_text("(annulée)")
    page.goto(f"{live.base_url}/snu/sessions/{session_id}")
    page.get_by_role("link", name="Rétablir la journée").click()
    page.get_by_role("button", name="Rétablir la journée").click()
    expect(page.get_by_role("status")).to_have_text("La journée est rétablie.")
    expect(page.locator("#annulation")).to_have_count(0)

    # The other pole cannot reach it: the module is not enabled there.
    other = Api(live, COORDINATOR)
    try:
        answer = other.http.post(
            "/graphql", json={"query": CANCEL, "variables": {"id": session_id}}
        )
        codes = [e["extensions"]["code"] for e in answer.json()["errors"]]
        assert codes == ["PLUGIN_DISABLED"]
    finally:
        other.http.close()


def test_the_demo_days_name_their_facilitators_and_kits(
    coordinator_62: Page, live: LiveServer
) -> None:
    page = coordinator_62
    page.goto(f"{live.base_url}/snu")
    expect(page.get_by_role("row", name=re.compile("lycée des Peupliers"))).to_contain_text(
        "(annulée)"
    )
    page.get_by_role("link", name="Centre SNU du lycée des Glycines (fictif)").click()
    expect(page.locator("dl.summary").first).to_contain_text("Malle boccia et jeux adaptés")
    groups = page.get_by_role("table", name="3 groupes")
    expect(groups.get_by_role("row", name=re.compile("Maisonnée A"))).to_contain_text(
        "Camille Moreau"
    )
    expect(groups.get_by_role("row", name=re.compile("Maisonnée B"))).to_contain_text(
        "Association de familles"
    )
    accessible(page)
