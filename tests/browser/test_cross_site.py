"""Forgeries from another site, the way an attacker's page makes a browser post:
refused by the server, nothing signed in, nothing stored."""

from __future__ import annotations

from html import escape

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, OtherSite, send_link
from tests.browser.test_questionnaire_form import SENDING
from tests.live import DEMO_PASSWORD, LiveServer


def self_posting(action: str, fields: dict[str, str]) -> str:
    """An attacker's page: a hidden form that posts itself on load."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    return (
        f'<!doctype html><html><body><form method="post" action="{escape(action)}">{inputs}'
        "</form><script>document.forms[0].submit()</script></body></html>"
    )


def test_a_sign_in_form_posted_from_another_site_is_refused(
    page: Page, live: LiveServer, other_site: OtherSite
) -> None:
    forged = other_site.serve(
        "/login",
        self_posting(
            f"{live.base_url}/auth/login",
            {"email": "coordinator@pas-de-calais.maillage.example", "password": DEMO_PASSWORD},
        ),
    )
    with page.expect_response(f"{live.base_url}/auth/login") as answered:
        page.goto(forged)
    assert answered.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("autre site")
    assert "maillage_session" not in {c["name"] for c in page.context.cookies()}


def test_a_questionnaire_posted_from_another_site_is_refused_and_nothing_stored(
    page: Page, live: LiveServer, other_site: OtherSite, coordinator_api: Api
) -> None:
    link = send_link(coordinator_api)
    forged = other_site.serve(
        "/survey",
        self_posting(link.url, {"respondent": "parent", "staff": "1", "comments": "forgé"}),
    )
    with page.expect_response(link.url) as answered:
        page.goto(forged)
    assert answered.value.status == 403
    sending = coordinator_api(SENDING, id=link.sending_id)["node"]
    assert sending["answeredAt"] is None  # type: ignore[index]
    # The family's link still works.
    assert page.goto(link.url).status == 200  # type: ignore[union-attr]
    expect(page.get_by_role("button", name="Envoyer mes réponses")).to_be_visible()
