"""The real server's log after a realistic session: no secret, no name, no address.

``maillage demo setup`` then ``maillage serve`` (tests/live.py); a person signs in with
JSON and with the form, reads families and children, renews its tokens, sends a
questionnaire link that a family opens and answers, invites a colleague who chooses a
password, and resets a forgotten one. Every secret and every personal detail this
session used or saw is collected, then looked for in the whole log file.

The demo's console mailer prints each mail (links included) to standard error on
purpose, so a person trying the demo can follow them: those mail blocks, and nothing
else, are left out of the search (their count is checked, so nothing hides in them).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.live import DEMO_PASSWORD, LiveServer, start_demo

POLE = "pas-de-calais"
COORDINATOR = f"coordinator@{POLE}.maillage.example"
POLE_ADMIN = f"pole-admin@{POLE}.maillage.example"
MAIL_BLOCK = re.compile(r"\n--- courriel \(envoi console\) ---\n.*?\n--- fin ---\n?", re.S)


@dataclass
class Used:
    """What the session must never find in the log."""

    secrets: set[str] = field(default_factory=set)
    personal: set[str] = field(default_factory=set)

    def add(self, *values: Any) -> None:
        for value in values:
            if isinstance(value, str) and value:
                self.secrets.add(value)

    def saw(self, answer: Any) -> None:
        """Names read in a GraphQL answer (families, children, members)."""
        if isinstance(answer, dict):
            for key, value in answer.items():
                if key in {"name", "firstName", "displayName", "email"} and isinstance(value, str):
                    self.personal.add(value)
                else:
                    self.saw(value)
        elif isinstance(answer, list):
            for item in answer:
                self.saw(item)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_demo(tmp_path_factory.mktemp("live-logs"))
    yield live
    live.stop()


def graphql(
    client: httpx.Client, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def mails(server: LiveServer, after: int) -> list[str]:
    return MAIL_BLOCK.findall(server.log_text()[after:])


def link_in(mail: str, path: str) -> str:
    found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", mail)
    assert found, mail
    return found.group(1)


def run_session(server: LiveServer) -> Used:
    used = Used(personal={COORDINATOR, POLE_ADMIN})
    used.add(DEMO_PASSWORD)
    api = httpx.Client(base_url=server.base_url, timeout=30)
    browser = httpx.Client(base_url=server.base_url, timeout=30)

    # JSON sign-in (tokens), then the OAuth refresh.
    signed = api.post("/auth/login", json={"email": COORDINATOR, "password": DEMO_PASSWORD})
    assert signed.status_code == 200, signed.text
    tokens = signed.json()
    used.add(tokens["access_token"], tokens["refresh_token"])
    renewed = api.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert renewed.status_code == 200, renewed.text
    used.add(renewed.json()["access_token"], renewed.json()["refresh_token"])
    bearer = {"Authorization": f"Bearer {renewed.json()['access_token']}"}

    # A wrong password and an unknown token: refused, and not logged either.
    wrong = f"faux-{uuid.uuid4().hex}"
    used.add(wrong)
    assert (
        api.post("/auth/login", json={"email": COORDINATOR, "password": wrong}).status_code == 401
    )
    forged = "eyJ" + uuid.uuid4().hex + "." + uuid.uuid4().hex + ".sig"
    used.add(forged)
    assert (
        api.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {forged}"},
        ).status_code
        == 401
    )

    # Reading the pole's families and children (names come back in the answers).
    read = graphql(
        api,
        "query FamiliesAndChildren { families(first: 20) { edges { node { id name "
        "children { firstName } } } } followUps(first: 50) { edges { node { id "
        "status { value } } } } questionnaires { edges { node { id key } } } }",
        **bearer,
    )
    used.saw(read)
    assert used.personal - {COORDINATOR, POLE_ADMIN}, "the demo answered no name"

    # A questionnaire link, sent at a closed follow-up, opened and answered by the family.
    closed = [
        e["node"]["id"]
        for e in read["followUps"]["edges"]
        if e["node"]["status"]["value"] == "closed"
    ]
    satisfaction = next(
        e["node"]["id"]
        for e in read["questionnaires"]["edges"]
        if e["node"]["key"] == "satisfaction"
    )
    link = None
    for follow_up in closed:  # the demo already sent some: the first one free
        sent = graphql(
            api,
            "mutation Send($q: ID!, $s: ID!) { sendQuestionnaire(input: { questionnaireId: $q, "
            'subjectKind: "follow_up", subjectId: $s }) { link errors { code field } } }',
            {"q": satisfaction, "s": follow_up},
            **bearer,
        )["sendQuestionnaire"]
        link = sent["link"]
        if link is not None:
            break
    assert link is not None, "no closed follow-up without a questionnaire in the demo"
    link_token = link.rsplit("/q/", 1)[1]
    used.add(link_token)
    opened = httpx.get(f"{server.base_url}/q/{link_token}")
    assert opened.status_code == 200 and "Questionnaire" in opened.text
    answer = {
        "respondent": "parent",
        "request_form": "4",
        "delay": "3",
        "expectations": "3",
        "arrangements": "4",
        "feasible": "1",
        "staff": "4",
        "comments": "(fictif) Merci à Mme Exemple.",
    }
    answered = httpx.post(f"{server.base_url}/q/{link_token}", data=answer)
    assert answered.status_code == 200, answered.text
    used.personal.add(answer["comments"])
    bogus = "q_" + uuid.uuid4().hex + uuid.uuid4().hex
    used.add(bogus)
    assert httpx.get(f"{server.base_url}/q/{bogus}").status_code >= 400

    # The form sign-in of the pole's administrator (cookie + CSRF), who invites someone.
    form = browser.post(
        "/auth/login", data={"email": POLE_ADMIN, "password": DEMO_PASSWORD, "next": "/graphql"}
    )
    assert form.status_code == 303, form.text
    cookie, csrf = browser.cookies["maillage_session"], browser.cookies["maillage_csrf"]
    used.add(cookie, csrf)
    newcomer = f"nouvelle-{uuid.uuid4().hex[:8]}@{POLE}.maillage.example"
    newcomer_name = f"Apolline Testeuse-{uuid.uuid4().hex[:6]}"
    used.personal.update({newcomer, newcomer_name})
    before = len(server.log_text())
    invited = graphql(
        browser,
        "mutation Invite($e: String!, $n: String!) { inviteMember(input: { email: $e, "
        'displayName: $n, roles: ["staff"] }) { errors { code field } } }',
        {"e": newcomer, "n": newcomer_name},
        **{"X-CSRF-Token": csrf},
    )
    assert invited["inviteMember"]["errors"] == []
    used.saw(graphql(browser, "query Members { members { edges { node { displayName email } } } }"))
    invitation = link_in(wait_for_mail(server, before), "/auth/invitation")
    used.add(invitation)
    assert (
        httpx.get(f"{server.base_url}/auth/invitation", params={"token": invitation}).status_code
        == 200
    )
    chosen = f"choisi-{uuid.uuid4().hex}"
    used.add(chosen)
    accepted = httpx.post(
        f"{server.base_url}/auth/invitation", data={"token": invitation, "password": chosen}
    )
    assert accepted.status_code == 200, accepted.text

    # The newcomer forgets the password and resets it from the mailed link.
    before = len(server.log_text())
    assert (
        httpx.post(f"{server.base_url}/auth/password/forgot", json={"email": newcomer}).status_code
        == 202
    )
    reset = link_in(wait_for_mail(server, before), "/auth/password/reset")
    used.add(reset)
    assert (
        httpx.get(f"{server.base_url}/auth/password/reset", params={"token": reset}).status_code
        == 200
    )
    again = f"nouveau-{uuid.uuid4().hex}"
    used.add(again)
    done = httpx.post(
        f"{server.base_url}/auth/password/reset", data={"token": reset, "password": again}
    )
    assert done.status_code == 200, done.text
    back = api.post("/auth/login", json={"email": newcomer, "password": again})
    assert back.status_code == 200, back.text
    used.add(back.json()["access_token"], back.json()["refresh_token"])

    # A federation callback's code and state (no provider answers: refused, not logged).
    code, state = f"code-{uuid.uuid4().hex}", f"state-{uuid.uuid4().hex}"
    used.add(code, state)
    httpx.get(f"{server.base_url}/auth/oidc/{POLE}/callback", params={"code": code, "state": state})
    return used


def wait_for_mail(server: LiveServer, after: int) -> str:
    """The mail the server printed after offset ``after`` (delivered after commit)."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = mails(server, after)
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError("no mail printed:\n" + server.log_text()[after:])


@pytest.fixture(scope="module")
def used(server: LiveServer) -> Used:
    return run_session(server)


def test_a_whole_session_leaves_no_secret_and_no_name_in_the_log(
    server: LiveServer, used: Used
) -> None:
    text = server.settled_log()
    assert len(MAIL_BLOCK.findall(text)) == 2  # the invitation and the reset, nothing else
    outside = MAIL_BLOCK.sub("\n", text)
    lines = [json.loads(line) for line in outside.splitlines() if line.startswith("{")]
    assert sum(1 for line in lines if line.get("event") == "http_request") >= 20
    leaked = sorted(v for v in used.secrets | used.personal if v in outside)
    assert leaked == [], f"in the log: {leaked}"
    # The questionnaire link's path is there, its token masked.
    assert any(line.get("path") == "/q/[masqué]" for line in lines)
    # Everything the server wrote outside the mails is one JSON object a line.
    other = [line for line in outside.splitlines() if line.strip() and not line.startswith("{")]
    # Besides the JSON lines, only serve's own banner (where the app and the API are).
    assert len(other) == 1 and other[0].startswith(f"maillage sur {server.base_url}/ ")


def test_request_lines_carry_the_route_the_pole_and_a_pseudonymous_actor(
    server: LiveServer, used: Used
) -> None:
    lines = [
        json.loads(line)
        for line in server.settled_log().splitlines()
        if line.startswith("{") and '"http_request"' in line
    ]
    graphql_lines = [line for line in lines if line["route"] == "/graphql"]
    signed = [line for line in graphql_lines if line.get("actor")]
    assert len(signed) >= 4
    assert {line["pole"] for line in signed} == {POLE}
    # One stable pseudonym per person (coordinator, administrator), not a subject or name.
    actors = {line["actor"] for line in signed}
    assert len(actors) == 2
    assert all(re.fullmatch(r"a_[A-Za-z0-9_-]{16}", actor) for actor in actors)
    assert not any(value in json.dumps(signed) for value in used.personal | {"user:", "@"})
    named = {line.get("operation_name") for line in graphql_lines}
    assert {"FamiliesAndChildren", "Send", "Invite", "Members"} <= named
    # Routes are templates: the link's route names its parameter, not the token.
    assert {"/q/{token}", "/auth/login", "/auth/token", "/auth/oidc/{pole}/callback"} <= {
        line["route"] for line in lines
    }
    anonymous = [line for line in lines if line["route"] == "/q/{token}"]
    assert anonymous and all(line["actor"] is None for line in anonymous)
