"""GraphiQL without the internet: every file it needs comes from the app itself, and
its page allows nothing else (Content-Security-Policy)."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from tests.browser.test_sign_in import VIEWER, run_in_graphiql, sign_in
from tests.live import LiveServer


def test_graphiql_renders_and_runs_a_query_with_the_network_cut_off(
    page: Page, live: LiveServer
) -> None:
    outside: list[str] = []
    violations: list[str] = []

    def only_our_server(route: Route) -> None:
        if route.request.url.startswith(f"{live.base_url}/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_our_server)
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, live, "coordinator@pas-de-calais.maillage.example")
    page.wait_for_url(f"{live.base_url}/")
    run_in_graphiql(page, live, VIEWER)
    expect(page.locator(".graphiql-response")).to_contain_text('"displayName"')
    assert outside == []
    assert violations == []

    ide = page.request.get(f"{live.base_url}/graphql", headers={"Accept": "text/html"})
    policy = ide.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "http" not in policy
