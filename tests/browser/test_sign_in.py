"""Signing in, out and back through a forgotten password, in Chromium, against the
real server: what a member of a pole does on the first day."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from playwright.sync_api import Browser, Page, expect

from tests.live import DEMO_PASSWORD, LiveServer

VIEWER = "{ viewer { displayName } }"


def sign_in(page: Page, live: LiveServer, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live.base_url}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Se connecter").click()


def run_in_graphiql(page: Page, live: LiveServer, query: str) -> None:
    """Open GraphiQL with ``query`` typed in, run it, wait for the answer."""
    page.goto(f"{live.base_url}/graphql?q={quote(query)}")
    expect(page.locator(".graphiql-query-editor")).to_be_visible()
    page.locator(".graphiql-execute-button").click()


def test_signing_in_lands_on_today_and_graphiql_still_runs_a_query(
    page: Page, live: LiveServer
) -> None:
    sign_in(page, live, "coordinator@puy-de-dome.maillage.example")
    page.wait_for_url(f"{live.base_url}/")
    expect(page.locator("h1")).to_contain_text("Aujourd'hui")
    run_in_graphiql(page, live, VIEWER)
    expect(page.locator(".graphiql-response")).to_contain_text('"displayName"')
    expect(page.locator(".graphiql-response")).not_to_contain_text("UNAUTHENTICATED")


def test_a_refused_sign_in_keeps_the_address_but_not_the_password(
    page: Page, live: LiveServer
) -> None:
    sign_in(page, live, "staff@puy-de-dome.maillage.example", "pas le bon mot de passe")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#email")).to_have_value("staff@puy-de-dome.maillage.example")
    expect(page.locator("#password")).to_have_value("")


def test_signing_out_ends_the_session(page: Page, live: LiveServer) -> None:
    sign_in(page, live, "psychologist@puy-de-dome.maillage.example")
    page.wait_for_url(f"{live.base_url}/")
    session = next(c for c in page.context.cookies() if c["name"] == "maillage_session")
    # The layout's button posts the sign-out form (with the session's token).
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live.base_url}/auth/login")
    assert "maillage_session" not in {c["name"] for c in page.context.cookies()}
    # The old cookie, played again, is dead on the server too.
    page.context.add_cookies([session])
    after = page.request.post(f"{live.base_url}/graphql", data={"query": VIEWER})
    assert after.status == 401


def _reset_link(live: LiveServer, email: str) -> str:
    """The link the demo mailer printed for ``email`` (on the server's log)."""
    deadline = time.monotonic() + 10
    pattern = re.compile(
        rf"À : {re.escape(email)}\n.*?(https?://\S+/auth/password/reset\?token=\S+)", re.S
    )
    while time.monotonic() < deadline:
        found = pattern.findall(live.log_text())
        if found:
            return str(found[-1])
        time.sleep(0.1)
    raise AssertionError(f"no reset mail for {email} in the log:\n{live.log_text()[-3000:]}")


def test_a_forgotten_password_is_reset_through_the_demo_mailer(
    page: Page, live: LiveServer
) -> None:
    email, new_password = "staff@pas-de-calais.maillage.example", "un nouveau mot de passe"
    page.goto(f"{live.base_url}/auth/login")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.fill("#email", email)
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.locator("main")).to_contain_text("Si un compte existe")

    page.goto(_reset_link(live, email))
    page.fill("#password", new_password)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text("Mot de passe changé")

    sign_in(page, live, email, DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_be_visible()  # the old one no longer opens
    sign_in(page, live, email, new_password)
    page.wait_for_url(f"{live.base_url}/")


def test_the_sign_in_pages_pass_axe_core(browser: Browser, live: LiveServer) -> None:
    """Every page of the auth flow, as it first shows and as it comes back refused."""
    # Imported here: test_web_app imports this module's sign_in.
    from tests.browser.test_web_app import serious_violations

    # bypass_csp: axe-core is injected as a script, which these pages' policy forbids.
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    failures: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = serious_violations(page)
        if found:
            failures[name] = found

    try:
        page.goto(f"{live.base_url}/auth/logout")
        expect(page.locator("h1")).to_have_text("Déconnexion")
        check("sign-out, no session")
        page.goto(f"{live.base_url}/auth/login")
        check("sign-in")
        sign_in(page, live, "staff@puy-de-dome.maillage.example", "pas le bon mot de passe")
        expect(page.get_by_role("alert")).to_be_visible()
        check("sign-in refused")
        page.get_by_role("link", name="Mot de passe oublié ?").click()
        check("forgotten password")
        page.fill("#email", "personne@maillage.example")
        page.get_by_role("button", name="Recevoir un lien").click()
        expect(page.locator("main")).to_contain_text("Si un compte existe")
        check("forgotten password, sent")
        for path, title in (
            ("/auth/password/reset", "Nouveau mot de passe"),
            ("/auth/invitation", "Bienvenue sur maillage"),
        ):
            page.goto(f"{live.base_url}{path}?token=lien-perime")
            expect(page.locator("h1")).to_have_text(title)
            check(title)
            page.fill("#password", "un mot de passe assez long")
            page.get_by_role("button", name="Enregistrer").click()
            expect(page.get_by_role("alert")).to_be_visible()
            check(f"{title}, refused")
        sign_in(page, live, "staff@puy-de-dome.maillage.example")
        page.wait_for_url(f"{live.base_url}/")
        page.goto(f"{live.base_url}/auth/logout")
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        check("sign-out")
    finally:
        context.close()
    assert failures == {}
