"""The handisitting plugin's screens in Chromium, contributed through the page hooks as
an integrator would — the issue's « done when », both sides. A student applies herself
on the Pas-de-Calais pole's public page, on her phone, from the link the staff screen
gives; the pole sets her week, records her documents (a scan uploaded and downloaded back
through the checked route, a file that is not what its name says refused; another seen
on the original) and her vetting; the operator invites her account, she chooses her
password, staff link it to her file; staff record a family's request for their child
and the family's consent to share the needs sheet; read the ranked candidates with each
score explained, propose her, record her answer, the first meeting and the family's
agreement; mark the first sitting done and record the family's feedback. She signs in,
sees the booking on « Mes gardes », reads the needs sheet, gives her feedback and
reports an incident, which the staff's screen shows until they mark it handled; staff
cancel the booking and her sheet closes at once; staff print the family's hours
statement, and the pole's report has the section. The demo sitter's older booking, a
week past its last sitting, answers as if it never existed. The Puy-de-Dôme pole (which
did not enable the plugin) gets 404. axe-core on every page."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from core.api.pages import date_fr
from tests.browser.test_sign_in import sign_in
from tests.browser.test_web_app import COORDINATOR, OTHER_POLE, serious_violations, signed_in
from tests.live import LiveServer, run_cli

NAV = "Navigation principale"
DEMO_SITTER = "sitter@pas-de-calais.maillage.example"
# The smallest file a PDF reader opens, and a text file named like one.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NOT_A_PDF = b"Ceci n'est pas un PDF, seulement son nom."
MY_BOOKINGS = "{ handisitting { myBookings { id needsSheetOpen shareUntil } } }"
SHEET = "query($id: ID!) { handisitting { needsSheet(bookingId: $id) { needs } } }"


@pytest.fixture
def pas_de_calais(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, OTHER_POLE)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LINK_TEXT = "Lien à diffuser aux candidat·e·s"


def public_link(page: Page) -> str:
    """The link staff share, as the staff screen shows it."""
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Handisitting").click()
    expect(page.locator("h1")).to_have_text("Intervenant·es de garde à domicile")
    link = page.locator("p", has_text=LINK_TEXT).get_by_role("link")
    url = link.inner_text()
    assert url.endswith("/p/pas-de-calais/handisitting/candidature"), url
    return url


def apply_on_phone(browser: Browser, url: str, first: str, last: str, km: str = "20") -> None:
    """A student applies on the pole's public page on her 390 px phone, without an
    account, a mistake first (decision 204)."""
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **PHONE)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        phone.goto(url)
        expect(phone.locator("h1")).to_have_text("Devenir intervenant·e handisitting")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        accessible(phone)
        phone.get_by_label("Prénom").fill(first)
        phone.locator("#nom").fill(last)
        phone.get_by_label("Adresse électronique").fill(
            f"{first.lower()}.{last.lower()}@exemple.invalid"
        )
        phone.get_by_label("Téléphone").fill("06 12 34 56 78")
        phone.get_by_label("Commune où vous habitez").fill("Béthune")
        phone.get_by_label("Distance que vous acceptez de parcourir (km)").fill("loin")
        phone.get_by_label("Études ou expérience").select_option(label="Études médico-sociales")
        phone.get_by_label("Vos études ou votre expérience, en quelques mots").fill(
            "3e année d'éducatrice spécialisée"
        )
        phone.get_by_label("Langues parlées").fill("français, LSF")
        phone.get_by_label("Troubles du spectre de l'autisme").check()
        phone.get_by_role("button", name="Envoyer ma candidature").tap()

        # Refused: the consent box and the distance, named at the top and by the field.
        summary = phone.get_by_role("alert")
        expect(summary).to_contain_text("Votre candidature n'est pas encore envoyée")
        expect(summary.get_by_role("link")).to_have_count(2)
        expect(phone.locator("#distance-erreur")).to_contain_text("de 0 à 200")
        expect(phone.locator("#consentement-erreur")).to_contain_text("Cochez la case")
        expect(phone.get_by_label("Commune où vous habitez")).to_have_value("Béthune")
        expect(phone.get_by_label("Troubles du spectre de l'autisme")).to_be_checked()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        accessible(phone)

        summary.get_by_role("link").first.tap()
        phone.get_by_label("Distance que vous acceptez de parcourir (km)").fill(km)
        phone.get_by_label("J'ai lu comment le pôle utilise mes données").check()
        phone.get_by_role("button", name="Envoyer ma candidature").tap()
        expect(phone.locator("h1")).to_have_text("Candidature envoyée")
        expect(phone.get_by_role("status")).to_contain_text("Votre candidature est envoyée")
        expect(phone.locator("main")).to_contain_text("extrait de casier judiciaire")
        accessible(phone)
    finally:
        context.close()


def test_a_student_is_vetted_matched_booked_and_the_sitting_rated(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    today = dt.date.today()
    last = f"Essai{random.randrange(100, 100000)}"
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Handisitting").click()
    expect(page.locator("h1")).to_have_text("Intervenant·es de garde à domicile")
    accessible(page)

    # The application: she sends it herself, on her phone, from the link the staff
    # screen gives to share (a mistake first); staff open it from their list and set
    # her week at the interview.
    apply_on_phone(page.context.browser, public_link(page), "Lou", last, km="30")  # type: ignore[arg-type]
    page.reload()
    row = page.get_by_role("row", name=f"Lou {last}")
    expect(row).to_contain_text("Candidature reçue")
    row.get_by_role("link", name=f"Lou {last}").click()
    expect(page.locator("h1")).to_have_text(f"Lou {last}")
    expect(page.locator("ol.timeline")).to_contain_text("formulaire en ligne")
    for day in range(7):
        page.fill(f"#start{day}", "08:00")
        page.fill(f"#end{day}", "20:00")
    page.get_by_role("button", name="Enregistrer les disponibilités").click()
    expect(page.get_by_role("status")).to_have_text(
        "Les disponibilités et les compétences sont enregistrées."
    )
    accessible(page)

    # Her identity document as a scan: a text file named .pdf and a file too big are
    # refused next to the field, the dates kept; the PDF is stored, then downloaded
    # back through the checked route, byte for byte.
    identity = "Pièce d'identité"
    issued = (today - dt.timedelta(days=20)).isoformat()
    page.select_option("#kind", label=identity)
    page.fill("#issuedOn", issued)
    page.fill("#expiresOn", (today + dt.timedelta(days=340)).isoformat())
    for name, content, message in (
        ("identite.pdf", NOT_A_PDF, "Type de fichier refusé"),
        ("identite.png", b"\x89PNG\r\n\x1a\n" + b"0" * 700_000, "Fichier trop lourd"),
    ):
        page.set_input_files(
            "#file", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
        )
        page.get_by_role("button", name="Enregistrer la pièce").click()
        expect(page.locator("#file-error")).to_contain_text(message)
        expect(page.locator("#issuedOn")).to_have_value(issued)
        expect(page.locator("#kind")).to_have_value("identity")
    accessible(page)
    page.set_input_files(
        "#file", files=[{"name": "identite.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Enregistrer la pièce").click()
    expect(page.get_by_role("status")).to_have_text("La pièce est enregistrée.")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Télécharger {identity}").click()
    assert download.value.suggested_filename == f"identity-{issued}.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    # The criminal-record extract seen on the original; both checked; the vetting.
    record = "Extrait de casier judiciaire (bulletin n° 3)"
    page.select_option("#kind", label=record)
    page.fill("#issuedOn", issued)
    page.fill("#expiresOn", (today + dt.timedelta(days=340)).isoformat())
    page.get_by_role("button", name="Enregistrer la pièce").click()
    expect(page.get_by_role("status")).to_have_text("La pièce est enregistrée.")
    for kind in (identity, record):
        page.get_by_role("button", name=f"Marquer vérifiée : {kind}").click()
        expect(page.get_by_role("status")).to_have_text("La pièce est marquée vérifiée.")
    for step in ("Entretien passé", "Pièces vérifiées", "Agréé·e"):
        page.select_option("#status", label=step)
        page.fill("#reason", f"{step} : vu avec la coordinatrice")
        page.get_by_role("button", name="Enregistrer l'étape").click()
        expect(page.get_by_role("status")).to_have_text("L'étape de l'agrément est enregistrée.")
    expect(page.locator(".facts")).to_contain_text("Agréé·e")
    accessible(page)

    # Her account: the operator invites her with the sitter role (the pole has no
    # screen for invitations), she chooses her password, staff link it to her file.
    email = f"lou.{last.lower()}@exemple.invalid"
    password = "garde-du-mercredi-" + last
    printed = run_cli(
        live.env, "members", "invite", "--tenant", "pas-de-calais", "--email", email,
        "--name", f"Lou {last}", "--roles", "sitter", "--print-link",
    )  # fmt: skip
    link = re.search(r"https?://\S+/auth/invitation\?token=\S+", printed)
    assert link is not None, printed
    lou = page.context.browser.new_context(locale="fr-FR", bypass_csp=True)  # type: ignore[union-attr]
    lou.set_default_timeout(15_000)
    her = lou.new_page()
    her.goto(link.group(0))
    her.fill("#password", password)
    her.get_by_role("button", name="Enregistrer").click()
    expect(her.locator("body")).to_contain_text("Votre mot de passe est enregistré")
    page.reload()
    page.select_option("#account", label=f"Lou {last}")
    page.get_by_role("button", name="Relier le compte").click()
    expect(page.get_by_role("status")).to_contain_text("Le compte est relié")
    expect(page.locator(".facts")).to_contain_text("Oui")

    # The family's request: every week from today, for three weeks.
    tabs = page.get_by_role("navigation", name="Handisitting")
    tabs.get_by_role("link", name="Demandes des familles").click()
    accessible(page)
    page.get_by_role("link", name="Enregistrer une demande").click()
    accessible(page)
    # The child found by its first name alone, typed without its accents: the list then
    # holds the children of the families with a child of that name, this one among them.
    wanted = page.locator("#child option").nth(1).inner_text()
    first_name = wanted.split(" (")[0]
    typed = unicodedata.normalize("NFKD", first_name).encode("ascii", "ignore").decode().lower()
    search = page.get_by_label("Chercher une famille par son nom ou le prénom d'un enfant")
    search.fill(typed)
    page.get_by_role("button", name="Chercher").click()
    expect(search).to_have_value(typed)
    listed = page.locator("#child option").all_inner_texts()
    assert wanted in listed, (wanted, listed[:10])
    page.select_option("#child", label=wanted)
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
    request_url = page.url
    child = page.locator("h1").inner_text().removeprefix("Demande pour ")

    # The family consents to share the needs sheet with the sitter it will agree to.
    page.locator(".facts").get_by_role("link").first.click()
    page.get_by_role("link", name="Enregistrer un consentement").click()
    page.select_option(
        "#purpose",
        label="Partage de la fiche de besoins de l'enfant avec l'intervenant·e de garde à "
        "domicile retenu·e",
    )
    page.fill("#givenBy", "La mère")
    page.get_by_role("button", name="Enregistrer le consentement").click()
    expect(page.get_by_role("status")).to_have_text("Le consentement est enregistré.")
    page.goto(request_url)

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

    # Her side: the booking on « Mes gardes », the needs sheet, her feedback.
    try:
        sign_in(her, live, email, password)
        her.wait_for_url(f"{live.base_url}/")
        nav = her.get_by_role("navigation", name=NAV)
        assert "Handisitting" not in nav.get_by_role("link").all_inner_texts()
        nav.get_by_role("link", name="Mes gardes").click()
        expect(her.locator("main")).to_contain_text(f"Lou {last}")
        expect(her.locator(".facts")).to_contain_text("08:00–20:00")  # her own availability
        booking = her.locator("section", has_text=f"Garde de {child}")
        expect(booking).to_contain_text("Confirmée")
        accessible(her)
        booking.get_by_role("link", name="Lire la fiche de besoins").click()
        sheet_url = her.url
        expect(her.locator("h1")).to_have_text(f"Fiche de besoins — {child}")
        expect(her.locator("main")).to_contain_text("emploi du temps visuel")
        accessible(her)
        her.get_by_role("link", name="Retour à mes gardes").click()
        booking = her.locator("section", has_text=f"Garde de {child}")
        booking.get_by_label("Mon avis (1 à 4)").select_option("3")
        booking.get_by_label("Commentaire").fill("Un peu de mal au goûter, puis les puzzles.")
        booking.get_by_role("button", name="Donner mon avis").click()
        expect(her.get_by_role("status")).to_have_text("C'est enregistré.")
        expect(booking).to_contain_text("Mon avis : 3/4")
        # Something went wrong: she reports it, the staff are alerted.
        booking.locator("summary").click()
        booking.get_by_label("Ce qui s'est passé").fill("Il s'est cogné le coude en jouant.")
        booking.get_by_role("button", name="Signaler l'incident").click()
        expect(her.get_by_role("status")).to_have_text(
            "L'incident est signalé : l'équipe du pôle est alertée."
        )
        accessible(her)

        # The family moves away: staff cancel (a reason is required, what was chosen is
        # kept), and the needs sheet closes for her at once, as if it never existed.
        page.goto(request_url)
        cancel = page.locator("details", has=page.get_by_text("Annuler la garde"))
        cancel.locator("summary").click()
        cancel.get_by_label("Qui annule").select_option(label="La famille")
        cancel.get_by_role("button", name="Annuler la garde").click()
        expect(page.locator(".error-summary")).to_contain_text("Motif")
        cancel = page.locator("details", has=page.get_by_text("Annuler la garde"))
        expect(cancel.get_by_label("Qui annule")).to_have_value("family")
        cancel.get_by_label("Pourquoi").fill("La famille déménage à Lille.")
        cancel.get_by_role("button", name="Annuler la garde").click()
        expect(page.get_by_role("status")).to_have_text("C'est enregistré.")
        expect(page.locator("main")).to_contain_text("Annulée")
        closed = her.goto(sheet_url)
        assert closed is not None and closed.status == 404
        # Nothing else of the pole: its staff screens answer « accès refusé ».
        refused = her.goto(f"{live.base_url}/handisitting/demandes")
        assert refused is not None and refused.status == 403
    finally:
        lou.close()
    page.goto(request_url)
    expect(page.get_by_role("table", name="Gardes").get_by_role("row").nth(1)).to_contain_text(
        "L'intervenant·e : 3/4"
    )

    page.goto(f"{live.base_url}/handisitting")
    incidents = page.get_by_role("region", name="Incidents à traiter")
    incident = incidents.get_by_role("listitem").filter(has_text="Il s'est cogné le coude")
    accessible(page)
    incident.get_by_role("button", name=re.compile("^Marquer traité")).click()
    expect(page.get_by_role("status")).to_have_text("L'incident est marqué traité.")
    expect(page.locator("main")).not_to_contain_text("Il s'est cogné le coude")
    page.goto(request_url)

    # The family's hours statement, on screen and as the same document in PDF.
    pdf = page.get_by_role("link", name="PDF").get_attribute("href")
    page.get_by_role("link", name="à l'écran").click()
    expect(page.locator("h1")).to_contain_text(
        f"Relevé des heures de garde à domicile — {today.year}"
    )
    expect(page.get_by_role("table")).to_contain_text(f"Lou {last}")
    printed = page.request.get(f"{live.base_url}{pdf}")
    assert printed.status == 200 and printed.body().startswith(b"%PDF-")

    # The pole's annual report shows the handisitting section.
    page.goto(f"{live.base_url}/rapport?annee={today.year}")
    expect(page.get_by_role("heading", name="Handisitting : la garde à domicile")).to_be_visible()


def test_a_sheet_past_its_window_answers_as_if_it_never_existed(
    browser: Browser, live: LiveServer
) -> None:
    """The demo sitter's older booking ended more than a week ago: its needs sheet is
    closed, and the page and the API answer exactly as for a booking that never was.
    Her current booking's sheet opens."""
    page = signed_in(browser, live, DEMO_SITTER)
    try:
        page.get_by_role("navigation", name=NAV).get_by_role("link", name="Mes gardes").click()
        expect(page.locator("main")).to_contain_text("Inès Lambert")
        # Her hours of the year by month, every family together: no family named.
        year = dt.date.today().year
        expect(page.get_by_role("heading", name=f"Mes heures en {year}")).to_be_visible()
        hours = page.get_by_role("region", name=f"Mes heures en {year}")
        if hours.count():
            expect(hours.get_by_role("columnheader")).to_have_text(["Mois", "Heures"])
            expect(hours).to_contain_text(f"Total {year}")
        accessible(page)
        answer = page.request.post(f"{live.base_url}/graphql", data={"query": MY_BOOKINGS})
        mine = answer.json()["data"]["handisitting"]["myBookings"]
        today = dt.date.today()
        [closed] = [b for b in mine if dt.date.fromisoformat(b["shareUntil"]) < today]
        [current] = [b for b in mine if b["needsSheetOpen"]]
        never = "SGFuZGlzaXR0aW5nQm9va2luZzowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA="

        def sheet_page(booking_id: str) -> tuple[int, str]:
            shown = page.goto(f"{live.base_url}/handisitting/fiche?garde={booking_id}")
            assert shown is not None
            return shown.status, page.locator("main").inner_text()

        assert sheet_page(closed["id"]) == sheet_page(never)
        assert sheet_page(closed["id"])[0] == 404

        def sheet_api(booking_id: str) -> list[dict]:
            answer = page.request.post(
                f"{live.base_url}/graphql", data={"query": SHEET, "variables": {"id": booking_id}}
            )
            body = answer.json()
            assert (
                body["data"]["handisitting"] is None
                or body["data"]["handisitting"].get("needsSheet") is None
            )
            return [
                {"code": e["extensions"]["code"], "field": e["extensions"].get("field")}
                for e in body["errors"]
            ]

        assert (
            sheet_api(closed["id"])
            == sheet_api(never)
            == [{"code": "NOT_FOUND", "field": "bookingId"}]
        )
        status, text = sheet_page(current["id"])
        assert status == 200 and "emploi du temps visuel" in text
    finally:
        page.context.close()


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


APPLY = """mutation($input: HandisittingApplyInput!) {
  handisittingApply(input: $input) { sitter { id } errors { code field message } }
}"""


def new_sitter(page: Page, live: LiveServer) -> tuple[str, str]:
    """A fresh application through the API (its screen is the first test's): the
    sitter's file URL and her last name."""
    last = f"Essai{random.randrange(100, 100000)}"
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "maillage_csrf")
    answer = page.request.post(
        f"{live.base_url}/graphql",
        headers={"X-CSRF-Token": csrf},
        data={
            "query": APPLY,
            "variables": {
                "input": {
                    "firstName": "Maé",
                    "lastName": last,
                    "email": f"mae.{last.lower()}@exemple.invalid",
                    "communeInsee": "62119",
                    "travelKm": 15,
                    "background": "social",
                    "availability": [{"weekday": 2, "startsAt": "13:00", "endsAt": "18:00"}],
                }
            },
        },
    )
    body = answer.json()
    assert body.get("data") and body["data"]["handisittingApply"]["errors"] == [], body
    sitter_id = body["data"]["handisittingApply"]["sitter"]["id"]
    return f"{live.base_url}/handisitting/intervenant?id={sitter_id}", last


def test_staff_edit_a_sitters_week_skills_and_absences(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    url, last = new_sitter(page, live)
    page.goto(url)
    expect(page.locator("h1")).to_have_text(f"Maé {last}")
    expect(page.locator("#start2")).to_have_value("13:00")
    accessible(page)

    # Her week changes: a start without its end, and an end before its start, are each
    # named next to their field; what was typed stays.
    page.fill("#start2", "")
    page.fill("#end2", "")
    page.fill("#start5", "09:00")
    page.get_by_label("Troubles du spectre de l'autisme").check()
    page.get_by_role("button", name="Enregistrer les disponibilités").click()
    expect(page.locator("#end5-error")).to_contain_text("Indiquez l'heure pour le samedi")
    expect(page.locator("#start5")).to_have_value("09:00")
    expect(page.get_by_label("Troubles du spectre de l'autisme")).to_be_checked()
    accessible(page)
    page.fill("#end5", "08:00")
    page.get_by_role("button", name="Enregistrer les disponibilités").click()
    expect(page.locator("#end5-error")).to_contain_text("La fin du créneau doit suivre son début")
    expect(page.locator(".error-summary")).to_contain_text("La fin du créneau")
    page.fill("#end5", "12:30")
    page.get_by_role("button", name="Enregistrer les disponibilités").click()
    expect(page.get_by_role("status")).to_have_text(
        "Les disponibilités et les compétences sont enregistrées."
    )
    facts = page.locator(".facts")
    expect(facts).to_contain_text("samedi 09:00–12:30")
    expect(facts).not_to_contain_text("mercredi")
    expect(facts).to_contain_text("Troubles du spectre de l'autisme")

    # Her exams: an end before the start is refused next to « Au », the dates kept.
    today = dt.date.today()
    first, back = today + dt.timedelta(days=30), today + dt.timedelta(days=20)
    page.fill("#awayFrom", first.isoformat())
    page.fill("#awayTo", back.isoformat())
    page.fill("#awayNote", "partiels")
    page.get_by_role("button", name="Enregistrer l'absence").click()
    expect(page.locator("#awayTo-error")).to_contain_text("La fin précède le début")
    expect(page.locator("#awayFrom")).to_have_value(first.isoformat())
    expect(page.locator("#awayNote")).to_have_value("partiels")
    accessible(page)
    page.fill("#awayTo", (today + dt.timedelta(days=34)).isoformat())
    page.get_by_role("button", name="Enregistrer l'absence").click()
    expect(page.get_by_role("status")).to_have_text("L'absence est enregistrée.")
    expect(facts).to_contain_text("(partiels)")
    accessible(page)

    # Her exams are moved: the absence is withdrawn.
    page.get_by_role("button", name=re.compile("^Retirer l'absence du ")).click()
    expect(page.get_by_role("status")).to_have_text("L'absence est retirée.")
    expect(facts).not_to_contain_text("partiels")


def test_staff_extend_the_skills_and_record_a_sitters_languages(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    suffix = random.randrange(100, 100000)
    page.goto(f"{live.base_url}/handisitting")
    tabs = page.get_by_role("navigation", name="Handisitting")
    tabs.get_by_role("link", name="Compétences").click()
    expect(page.locator("h1")).to_have_text("Compétences")
    vocabulary = page.get_by_role("table")
    expect(vocabulary).to_contain_text("Troubles du spectre de l'autisme")
    accessible(page)

    # A code with spaces and accents is refused next to its field; the label stays.
    label = f"Langue des signes française {suffix}"
    page.fill("#label", label)
    page.fill("#code", "Langue des signes")
    page.get_by_role("button", name="Ajouter la compétence").click()
    expect(page.locator("#code-error")).to_contain_text("lettres minuscules sans accent")
    expect(page.locator("#label")).to_have_value(label)
    accessible(page)
    page.fill("#code", f"lsf_{suffix}")
    page.get_by_role("button", name="Ajouter la compétence").click()
    expect(page.get_by_role("status")).to_contain_text("La compétence est ajoutée")
    expect(page.get_by_role("table")).to_contain_text(label)

    # The application form offers it, and records the languages she speaks: a word too
    # long is named next to the field, what was typed kept.
    page.goto(f"{live.base_url}/handisitting/candidature")
    last = f"Essai{suffix}"
    page.fill("#firstName", "Nour")
    page.fill("#lastName", last)
    page.fill("#email", f"nour.{last.lower()}@exemple.invalid")
    page.fill("#commune", "Béthune")
    page.fill("#travelKm", "10")
    page.select_option("#background", label="Études sociales ou éducatives")
    page.get_by_label(label).check()
    typed = "français, " + "arabe" * 20
    page.fill("#languages", typed)
    page.get_by_role("button", name="Enregistrer la candidature").click()
    expect(page.locator("#languages-error")).to_be_visible()
    expect(page.locator("#languages")).to_have_value(typed)
    expect(page.get_by_label(label)).to_be_checked()
    accessible(page)
    page.fill("#languages", "français, arabe, langue des signes française")
    page.get_by_role("button", name="Enregistrer la candidature").click()
    expect(page.get_by_role("status")).to_have_text("La candidature est enregistrée.")
    facts = page.locator(".facts")
    expect(facts).to_contain_text("français, arabe, langue des signes française")
    expect(facts).to_contain_text(label)


def test_staff_export_then_erase_a_sitters_personal_data(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    url, last = new_sitter(page, live)
    page.goto(url)

    # Her subject access request: everything the pole holds, as a file to hand her.
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger ses données (JSON)").click()
    assert download.value.suggested_filename.startswith("donnees-intervenant-")
    held = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert held["Identité"]["Nom"] == last
    assert held["Disponibilités"] == [{"Jour": 2, "De": "13:00", "À": "18:00"}]

    # The erasure asks for a confirmation: without it, the box is named; then done.
    page.get_by_role("link", name="Effacer ses données personnelles…").click()
    expect(page.locator("h1")).to_have_text(f"Effacer les données de Maé {last}")
    accessible(page)
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.locator("#confirm-error")).to_contain_text("Cochez la case")
    expect(page.locator(".error-summary")).to_contain_text("Cochez la case")
    accessible(page)
    page.get_by_label(f"Je confirme l'effacement des données personnelles de Maé {last}").check()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_role("status")).to_contain_text("Les données personnelles sont effacées")
    expect(page.locator("h1")).to_have_text("Effacé·e Effacé·e")
    expect(page.locator("main")).not_to_contain_text(last)
    # Her record is closed: no next vetting step, nothing more to erase (decision 205).
    expect(page.locator(".facts")).to_contain_text(re.compile(r"Agrément\s*Effacé·e"))
    expect(page.get_by_role("heading", name="Étape suivante")).to_have_count(0)
    expect(page.get_by_role("link", name="Effacer ses données personnelles…")).to_have_count(0)
    accessible(page)


def test_a_sitter_with_sittings_ahead_is_not_erased_before_her_booking_is_cancelled(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    page.goto(f"{live.base_url}/handisitting")
    # The demo's Inès Lambert has her Wednesday booking under way.
    page.get_by_role("table").get_by_role("link", name="Inès Lambert").click()
    year = dt.date.today().year
    expect(page.get_by_role("heading", name=f"Heures de garde en {year}")).to_be_visible()
    page.get_by_role("link", name="Effacer ses données personnelles…").click()
    page.get_by_label("Je confirme l'effacement des données personnelles de Inès Lambert").check()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.locator(".error-summary")).to_contain_text("garde(s) convenue(s) encore à venir")
    expect(page.locator(".error-summary")).to_contain_text("annulez-les d'abord")
    expect(page.locator("h1")).to_have_text("Effacer les données de Inès Lambert")
    accessible(page)


def test_an_expired_first_aid_certificate_is_to_renew_not_blocking(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    url, _last = new_sitter(page, live)
    page.goto(url)
    today = dt.date.today()
    page.select_option("#kind", label="Attestation de premiers secours")
    page.fill("#issuedOn", (today - dt.timedelta(days=800)).isoformat())
    page.fill("#expiresOn", (today - dt.timedelta(days=35)).isoformat())
    page.get_by_role("button", name="Enregistrer la pièce").click()
    facts = page.locator(".facts")
    expect(facts).to_contain_text(
        re.compile(r"À renouveler\s*Attestation de premiers secours expiré\(e\) le")
    )
    expect(facts).to_contain_text("elle peut toujours être proposée")
    # What blocks her is what is required: the identity and the extract, not first aid.
    expect(facts.locator(".overdue")).not_to_contain_text("premiers secours")
    accessible(page)


BOOKED = "{ handisitting { requests(first: 100) { edges { node { id bookings { id } } } } } }"


def test_staff_record_an_incident_on_the_familys_word(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    answer = page.request.post(f"{live.base_url}/graphql", data={"query": BOOKED})
    edges = answer.json()["data"]["handisitting"]["requests"]["edges"]
    booked = next(e["node"]["id"] for e in edges if e["node"]["bookings"])
    page.goto(f"{live.base_url}/handisitting/demande?id={booked}")
    form = page.locator("form", has=page.get_by_role("button", name="Enregistrer l'incident"))
    expect(form.get_by_label("Qui le rapporte")).to_have_value("family")
    accessible(page)

    # The family phones: a date in the future is refused next to it, the words kept.
    said = f"La maman signale une porte laissée ouverte ({random.randrange(100, 100000)})."
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.fill("#incidentOn", tomorrow)
    page.fill("#incidentText", said)
    page.get_by_role("button", name="Enregistrer l'incident").click()
    expect(page.locator("#incidentOn-error")).to_contain_text("Date dans le futur")
    expect(page.locator("#incidentText")).to_have_value(said)
    expect(page.locator("#incidentOn")).to_have_value(tomorrow)
    accessible(page)
    page.fill("#incidentOn", dt.date.today().isoformat())
    page.get_by_role("button", name="Enregistrer l'incident").click()
    expect(page.get_by_role("status")).to_have_text(
        "L'incident est signalé : l'équipe du pôle est alertée."
    )

    # The staff's screen shows it, from the family, until it is handled.
    page.goto(f"{live.base_url}/handisitting")
    incidents = page.get_by_role("region", name="Incidents à traiter")
    reported = incidents.get_by_role("listitem").filter(has_text=said)
    expect(reported).to_contain_text("La famille")
    reported.get_by_role("button", name=re.compile("^Marquer traité")).click()
    expect(page.get_by_role("status")).to_have_text("L'incident est marqué traité.")
    expect(page.locator("main")).not_to_contain_text(said)


def test_a_reader_sees_the_files_but_none_of_the_staffs_forms(
    browser: Browser, live: LiveServer
) -> None:
    """The psychologist reads handisitting: the vocabulary and a sitter's file, without
    the forms, the export or the erasure, whose page refuses her."""
    page = signed_in(browser, live, "psychologist@pas-de-calais.maillage.example")
    try:
        page.goto(f"{live.base_url}/handisitting/competences")
        expect(page.get_by_role("table")).to_contain_text("Troubles du spectre de l'autisme")
        expect(page.get_by_role("button", name="Ajouter la compétence")).to_have_count(0)
        page.goto(f"{live.base_url}/handisitting")
        page.locator("main table a").first.click()
        expect(page.locator(".facts")).to_contain_text("Absences")
        for button in ("Enregistrer les disponibilités", "Télécharger ses données (JSON)"):
            expect(page.get_by_role("button", name=button)).to_have_count(0)
        accessible(page)
        sitter_id = page.url.split("id=", 1)[1]
        refused = page.goto(f"{live.base_url}/handisitting/intervenant/effacement?id={sitter_id}")
        assert refused is not None and refused.status == 403
    finally:
        page.context.close()


def test_the_home_page_shows_incidents_and_documents_to_renew(
    pas_de_calais: Page, live: LiveServer
) -> None:
    page = pas_de_calais
    page.goto(f"{live.base_url}/")
    panel = page.get_by_role("region", name="Garde à domicile : incidents et pièces à renouveler")
    # The demo's suspended sitter: her criminal-record extract has expired.
    expect(panel.get_by_role("heading", name="Pièces à renouveler (30 jours)")).to_be_visible()
    expect(panel).to_contain_text("Extrait de casier judiciaire (bulletin n° 3) expirée le")
    panel.get_by_role("link", name="Ouvrir les intervenant·es").click()
    expect(page.locator("h1")).to_have_text("Intervenant·es de garde à domicile")
    accessible(page)


AHEAD = """{ handisitting { requests(first: 100) { edges { node { id bookings {
  status { value } sittings { id on status { value } } } } } } } }"""


def test_staff_cancel_one_sitting_saying_who_and_why(pas_de_calais: Page, live: LiveServer) -> None:
    page = pas_de_calais
    answer = page.request.post(f"{live.base_url}/graphql", data={"query": AHEAD})
    edges = answer.json()["data"]["handisitting"]["requests"]["edges"]
    today = dt.date.today()
    request_id, day = next(
        (e["node"]["id"], dt.date.fromisoformat(s["on"]))
        for e in edges
        for b in e["node"]["bookings"]
        if b["status"]["value"] == "confirmed"
        for s in b["sittings"]
        if s["status"]["value"] == "planned" and dt.date.fromisoformat(s["on"]) > today
    )
    page.goto(f"{live.base_url}/handisitting/demande?id={request_id}")
    when = date_fr(day)
    details = page.locator("details").filter(
        has=page.locator("summary", has_text=f"Annuler cette garde du {when}")
    )
    details.locator("summary").click()
    details.get_by_label("Qui annule").select_option("family")
    details.get_by_role("button", name=f"Annuler cette garde du {when}").click()
    # No reason: refused, the choice kept, nothing cancelled.
    expect(page.locator(".error-summary")).to_contain_text("Motif")
    details = page.locator("details").filter(
        has=page.locator("summary", has_text=f"Annuler cette garde du {when}")
    )
    expect(details.get_by_label("Qui annule")).to_have_value("family")
    accessible(page)
    details.get_by_label("Pourquoi").fill("Rendez-vous à l'hôpital")
    details.get_by_role("button", name=f"Annuler cette garde du {when}").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=when, exact=True))
    expect(row).to_contain_text("Annulée (la famille : Rendez-vous à l'hôpital)")
    accessible(page)
