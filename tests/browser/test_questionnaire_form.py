"""A family answers the questionnaire it received, in Chromium, through the single-use
link: what it typed survives an error, and the answers reach the pole."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, send_link
from tests.live import LiveServer

SENDING = """query($id: ID!) { node(id: $id) { ... on QuestionnaireSending {
  answeredAt status { value } } } }"""
FREE_TEXTS = """query($q: ID!) { questionnaireFreeTexts(questionnaireId: $q, first: 100) {
  edges { node { question text } } } }"""
COMMENT = "(fictif) Merci pour l'accueil de Léa, tout s'est bien passé."


def fill_satisfaction(page: Page, *, leave_out: str | None = None) -> None:
    choices = {
        "respondent": "parent",
        "request_form": "4",
        "delay": "3",
        "expectations": "4",
        "arrangements": "3",
        "feasible": "1",
        "staff": "4",
    }
    for key, value in choices.items():
        if key != leave_out:
            page.locator(f'input[name="{key}"][value="{value}"]').check()
    page.fill("textarea[name=comments]", COMMENT)


def test_a_family_answers_a_questionnaire_and_the_answers_are_stored(
    page: Page, live: LiveServer, coordinator_api: Api
) -> None:
    link = send_link(coordinator_api)
    page.goto(link.url)
    expect(page.locator("h1")).to_contain_text("satisfaction")

    # A required answer left out: the form comes back with everything else kept.
    fill_satisfaction(page, leave_out="staff")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("textarea[name=comments]")).to_have_value(COMMENT)
    expect(page.locator('input[name="delay"][value="3"]')).to_be_checked()

    page.locator('input[name="staff"][value="4"]').check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.locator("h1")).to_have_text("Merci !")

    sending = coordinator_api(SENDING, id=link.sending_id)["node"]
    assert sending["answeredAt"] is not None  # type: ignore[index]
    texts = coordinator_api(FREE_TEXTS, q=link.questionnaire_id)["questionnaireFreeTexts"]
    assert COMMENT in [e["node"]["text"] for e in texts["edges"]]  # type: ignore[index]
