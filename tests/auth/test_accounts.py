"""Local accounts end to end through the real app: sign in (cookie and tokens), CSRF,
throttling, password change and reset by mail, invitations, pole switching, and
memberships read again on every request."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from core.app.app import create_app
from core.auth import passwords
from core.auth.models import AuthSession, MailMessage, Membership, SecurityEvent, User
from core.auth.passwords import hash_password
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import OPERATIONS, TwoPoles, settings_for
from tests.conftest import DbUrls

PASSWORD = "un mot de passe solide"
VIEWER = """{ viewer { subject displayName currentPole { slug } roles
  memberships { pole { slug } current } } }"""


@dataclass
class Person:
    email: str
    user_id: uuid.UUID
    password: str = PASSWORD


@functools.cache
def _hash() -> str:
    return hash_password(PASSWORD)  # Argon2id is slow on purpose: hash once


async def person(db: Database, *poles_roles: tuple[Tenant, list[str]]) -> Person:
    email = f"p-{uuid.uuid4().hex[:10]}@exemple.fr"
    async with db.reference_session() as session:
        user = User(email=email, display_name="Agnès Test", password_hash=_hash())
        session.add(user)
        await session.commit()
    for tenant, roles in poles_roles:
        async with db.session(tenant.id) as session:
            session.add(Membership(user_id=user.id, roles=roles))
            await session.commit()
    return Person(email, user.id)


@pytest_asyncio.fixture
async def web(db_urls: DbUrls, db: Database) -> AsyncIterator[GraphQLClient]:
    """The app over https (Secure cookies travel), with a small throttle."""
    app = create_app(
        settings_for(
            db_urls,
            MAILLAGE_LOGIN_MAX_FAILURES="3",
            MAILLAGE_LOGIN_MAX_FAILURES_PER_ADDRESS="8",
            MAILLAGE_PUBLIC_URL="https://maillage.test",
        ),
        db,
    )
    # An address of its own: throttle counters live in the (shared) database.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield GraphQLClient(http, app=app, operations_dir=OPERATIONS)


async def login(web: GraphQLClient, email: str, password: str, **extra: Any) -> httpx.Response:
    return await web.http.post("/auth/login", json={"email": email, "password": password, **extra})


async def bearer(web: GraphQLClient, who: Person, **extra: Any) -> dict[str, str]:
    response = await login(web, who.email, who.password, **extra)
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


async def gql(web: GraphQLClient, query: str, headers: dict[str, str], **variables: Any) -> Any:
    response = await web.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.json()


def move_clock(web: GraphQLClient, delta: dt.timedelta) -> None:
    now = dt.datetime.now(dt.UTC) + delta
    web.app.state.auth.clock = lambda: now


# --- browser session --------------------------------------------------------------------


async def test_browser_login_sets_a_secure_httponly_cookie_and_mutations_need_csrf(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["coordinator"]), (two_poles.b, ["staff"]))
    page = await web.http.get("/auth/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    response = await web.http.post(
        "/auth/login",
        data={"email": who.email.upper(), "password": PASSWORD, "next": "/graphql"},
        headers={"origin": "https://maillage.test"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/graphql"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("maillage_session="))
    assert "HttpOnly" in session_cookie and "Secure" in session_cookie
    assert "samesite=lax" in session_cookie.lower()
    csrf = web.http.cookies["maillage_csrf"]

    # Two poles, none chosen yet: queries work, pole data asks for a choice.
    viewer = await gql(web, VIEWER, {})
    assert viewer["data"]["viewer"]["currentPole"] is None
    assert {m["pole"]["slug"] for m in viewer["data"]["viewer"]["memberships"]} == {
        two_poles.a.slug,
        two_poles.b.slug,
    }
    switch = """mutation($p: String!) {
      switchTenant(pole: $p) { viewer { currentPole { slug } } errors { code } } }"""
    refused = await gql(web, switch, {}, p=two_poles.a.slug)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused["errors"][0]["extensions"]["field"] == "x-csrf-token"
    wrong = await gql(web, switch, {"x-csrf-token": "forged"}, p=two_poles.a.slug)
    assert error_codes(wrong) == ["FORBIDDEN"]
    assert (await gql(web, VIEWER, {}))["data"]["viewer"]["currentPole"] is None  # unchanged

    done = await gql(web, switch, {"x-csrf-token": csrf}, p=two_poles.a.slug)
    assert "errors" not in done, done
    assert done["data"]["switchTenant"]["viewer"]["currentPole"]["slug"] == two_poles.a.slug
    areas = await gql(web, "{ serviceAreas { name } }", {})
    assert [a["name"] for a in areas["data"]["serviceAreas"]] == ["Artois"]

    # A form posted from another site is refused (login CSRF).
    foreign = await web.http.post(
        "/auth/login",
        data={"email": who.email, "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert 'value="' + who.email + '"' in foreign.text  # what was typed comes back

    # Logout needs the CSRF token too, then the cookie is dead.
    assert (await web.http.post("/auth/logout")).status_code == 403
    out = await web.http.post("/auth/logout", headers={"x-csrf-token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/auth/login"
    web.http.cookies.set("maillage_session", session_cookie.split(";")[0].split("=", 1)[1])
    after = await web.http.post("/graphql", json={"query": VIEWER})
    assert after.status_code == 401
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# What browsers send with a form (core.app.cross_site): our pages, whatever their
# referrer policy, pass; other sites and other origins of the same site are refused.
FORM_HEADERS = [
    ({"sec-fetch-site": "same-origin", "origin": "null"}, 303),  # Referrer-Policy no-referrer
    ({"sec-fetch-site": "none"}, 303),  # typed or bookmarked by the person
    ({"sec-fetch-site": "cross-site", "origin": "https://maillage.test"}, 403),
    ({"sec-fetch-site": "same-site", "origin": "https://maillage.test:8443"}, 403),
    ({"origin": "https://maillage.test"}, 303),  # an older browser, from our page
    ({"origin": "null"}, 403),  # an older browser, from a sandboxed or foreign page
    ({"origin": "https://evil.example"}, 403),
    ({"referer": "https://maillage.test/auth/login"}, 303),
    ({"referer": "https://evil.example/page"}, 403),
    ({}, 303),  # not a browser (curl, a script): it forges nothing for anyone
]


@pytest.mark.parametrize(("headers", "status"), FORM_HEADERS)
async def test_sign_in_forms_are_refused_only_from_other_sites(
    web: GraphQLClient, db: Database, two_poles: TwoPoles, headers: dict[str, str], status: int
) -> None:
    who = await person(db, (two_poles.a, ["coordinator"]))
    response = await web.http.post(
        "/auth/login", data={"email": who.email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == status, response.text
    signed_in = "maillage_session" in response.headers.get("set-cookie", "")
    assert signed_in is (status == 303)


async def test_every_form_refuses_other_sites_and_keeps_what_was_typed(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["coordinator"]))
    foreign = {"sec-fetch-site": "cross-site", "origin": "https://evil.example"}
    forgot = await web.http.post(
        "/auth/password/forgot", data={"email": who.email}, headers=foreign
    )
    assert forgot.status_code == 403 and f'value="{who.email}"' in forgot.text
    async with db.reference_session() as session:
        assert await session.scalar(select(func.count()).select_from(MailMessage)) == 0
    invited = await web.http.post(
        "/auth/invitation",
        data={"token": "mi_x", "display_name": "Camille Exemple", "password": "x" * 14},
        headers=foreign,
    )
    assert invited.status_code == 403 and 'value="Camille Exemple"' in invited.text
    assert "x" * 14 not in invited.text  # never a password
    reset = await web.http.post(
        "/auth/password/reset", data={"token": "mr_y", "password": "y" * 14}, headers=foreign
    )
    assert reset.status_code == 403 and 'value="mr_y"' in reset.text

    # Signed in, the sign-out page carries the session's token; another site cannot use it.
    signed = await web.http.post(
        "/auth/login", data={"email": who.email, "password": PASSWORD}, headers={}
    )
    assert signed.status_code == 303
    form = await web.http.get("/auth/logout")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token is not None
    forged = await web.http.post("/auth/logout", data={"csrf": token[1]}, headers=foreign)
    assert forged.status_code == 403
    out = await web.http.post(
        "/auth/logout", data={"csrf": token[1]}, headers={"sec-fetch-site": "same-origin"}
    )
    assert out.status_code == 303 and out.headers["location"] == "/auth/login"
    assert "pas connecté" in (await web.http.get("/auth/logout")).text


async def test_wrong_credentials_get_one_answer_and_are_logged(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["staff"]))
    bad = await login(web, who.email, "pas le bon mot de passe")
    unknown = await login(web, f"x-{who.email}", "pas le bon mot de passe")
    assert bad.status_code == unknown.status_code == 401
    assert bad.json() == unknown.json()
    assert bad.json()["error"]["code"] == "UNAUTHENTICATED"
    async with db.reference_session() as session:
        kinds = (
            await session.execute(
                select(SecurityEvent.kind, SecurityEvent.detail).where(
                    SecurityEvent.user_id == who.user_id
                )
            )
        ).all()
    assert ("login_failed", "password (active)") in kinds
    assert PASSWORD not in repr(kinds)


async def test_a_hash_of_the_tests_profile_is_made_again_at_the_installs_cost_on_sign_in(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """The suite hashes at the ``tests`` profile's cost (decision 214); an install on the
    default profile verifies such a hash and replaces it at the next sign-in."""
    who = await person(db, (two_poles.a, ["staff"]))
    assert "$m=1024,t=1,p=1$" in _hash()
    passwords.use_profile(passwords.DEFAULT_PROFILE)
    try:
        assert (await login(web, who.email, PASSWORD)).status_code == 200
    finally:
        passwords.use_profile(passwords.TESTS_PROFILE)
    async with db.reference_session() as session:
        stored = (
            await session.execute(select(User.password_hash).where(User.id == who.user_id))
        ).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert (await login(web, who.email, PASSWORD)).status_code == 200


async def test_brute_force_is_throttled_and_the_right_password_works_after_the_window(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["staff"]))
    for _ in range(3):
        assert (await login(web, who.email, "mauvais mot de passe")).status_code == 401
    blocked = await login(web, who.email, PASSWORD)
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "RATE_LIMITED"
    assert 0 < int(blocked.headers["retry-after"]) <= 900
    # Inside the window, still refused; after it, the right password works.
    move_clock(web, dt.timedelta(minutes=10))
    assert (await login(web, who.email, PASSWORD)).status_code == 429
    move_clock(web, dt.timedelta(minutes=16))
    assert (await login(web, who.email, PASSWORD)).status_code == 200


@asynccontextmanager
async def elsewhere(web: GraphQLClient) -> AsyncIterator[GraphQLClient]:
    """Another browser on another address, against the same app (no cookies of ``web``)."""
    address = f"172.16.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    transport = httpx.ASGITransport(app=web.app, client=(address, 40001))
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield GraphQLClient(http, app=web.app, operations_dir=OPERATIONS)


async def test_strangers_cannot_lock_the_owner_out_of_a_known_device(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["staff"]))
    # The owner signs in once: the browser keeps a device cookie, for /auth only.
    first = await login(web, who.email, PASSWORD)
    assert first.status_code == 200
    device = next(c for c in first.headers.get_list("set-cookie") if "maillage_device=" in c)
    assert "HttpOnly" in device and "Path=/auth" in device and "samesite=strict" in device.lower()

    async with elsewhere(web) as stranger:
        for _ in range(3):
            assert (await login(stranger, who.email, "mauvais mot de passe")).status_code == 401
        # The account is locked for every other device, the right password too…
        assert (await login(stranger, who.email, PASSWORD)).status_code == 429
        # …not for the owner's browser, which the strangers' guesses did not count on.
        assert (await login(web, who.email, PASSWORD)).status_code == 200
        assert (await login(stranger, who.email, PASSWORD)).status_code == 429

        # A device cookie is worth one account: another account's is ignored.
        other = await person(db, (two_poles.a, ["staff"]))
        for _ in range(3):
            await login(stranger, other.email, "mauvais mot de passe")
        assert (await login(web, other.email, PASSWORD)).status_code == 429

    # The device has a counter of its own, with the same limit: a stolen cookie buys
    # no more guesses than the account has.
    for _ in range(3):
        assert (await login(web, who.email, "mauvais mot de passe")).status_code == 401
    assert (await login(web, who.email, PASSWORD)).status_code == 429
    # A forged cookie is no device.
    web.http.cookies.set("maillage_device", "forge.forge", domain="maillage.test", path="/auth")
    assert (await login(web, who.email, PASSWORD)).status_code == 429


async def test_the_reset_link_lifts_the_lock_of_an_account(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["staff"]))
    for _ in range(3):
        await login(web, who.email, "mauvais mot de passe")
    locked = await login(web, who.email, PASSWORD)
    assert locked.status_code == 429
    assert "Mot de passe oublié" in locked.json()["error"]["message"]  # the way out
    await web.http.post("/auth/password/forgot", json={"email": who.email})
    new = "un tout autre mot de passe"
    token = _token(await _last_mail(db, who.email))
    done = await web.http.post("/auth/password/reset", json={"token": token, "password": new})
    assert done.status_code == 200
    assert (await login(web, who.email, new)).status_code == 200


async def test_one_address_trying_many_accounts_is_throttled(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    statuses = []
    for _ in range(9):
        statuses.append((await login(web, f"{uuid.uuid4().hex}@exemple.fr", "x" * 12)).status_code)
    assert statuses[:8] == [401] * 8 and statuses[8] == 429


# --- passwords --------------------------------------------------------------------------


async def _last_mail(db: Database, to: str) -> MailMessage:
    async with db.reference_session() as session:
        rows = await session.execute(
            select(MailMessage).where(MailMessage.to == to).order_by(MailMessage.created_at)
        )
        return list(rows.scalars())[-1]


def _token(mail: MailMessage) -> str:
    found = re.search(r"token=([A-Za-z0-9_\-]+)", mail.body)
    assert found, mail.body
    return found.group(1)


async def test_password_reset_by_mail_is_single_use_and_expires(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["staff"]))
    headers = await bearer(web, who)
    unknown = await web.http.post("/auth/password/forgot", json={"email": "personne@exemple.fr"})
    asked = await web.http.post("/auth/password/forgot", json={"email": who.email})
    assert unknown.status_code == asked.status_code == 202  # nothing to learn
    mail = await _last_mail(db, who.email)
    assert "Réinitialisation" in mail.subject
    token = _token(mail)
    assert (await web.http.get(f"/auth/password/reset?token={token}")).status_code == 200

    weak = await web.http.post("/auth/password/reset", json={"token": token, "password": "court"})
    assert weak.status_code == 400 and weak.json()["error"]["field"] == "password"
    new = "un tout autre mot de passe"
    done = await web.http.post("/auth/password/reset", json={"token": token, "password": new})
    assert done.status_code == 200
    again = await web.http.post("/auth/password/reset", json={"token": token, "password": new})
    assert again.status_code == 400 and again.json()["error"]["field"] == "token"
    # Sessions opened before the reset are closed; the old password is refused.
    assert (
        await web.http.post("/graphql", json={"query": VIEWER}, headers=headers)
    ).status_code == 401
    assert (await login(web, who.email, PASSWORD)).status_code == 401
    assert (await login(web, who.email, new)).status_code == 200

    await web.http.post("/auth/password/forgot", json={"email": who.email})
    late = _token(await _last_mail(db, who.email))
    move_clock(web, dt.timedelta(hours=2))
    expired = await web.http.post(
        "/auth/password/reset", json={"token": late, "password": "encore un autre mot"}
    )
    assert expired.status_code == 400


async def test_change_password_checks_the_current_one_and_closes_other_sessions(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["staff"]))
    mine, other = await bearer(web, who), await bearer(web, who)
    change = """mutation($c: String!, $n: String!) {
      changePassword(currentPassword: $c, newPassword: $n) { ok errors { code field } } }"""
    wrong = await gql(web, change, mine, c="pas le bon", n="nouveau mot de passe")
    assert wrong["data"]["changePassword"]["errors"] == [
        {"code": "VALIDATION", "field": "currentPassword"}
    ]
    weak = await gql(web, change, mine, c=PASSWORD, n="court")
    assert weak["data"]["changePassword"]["errors"][0]["field"] == "newPassword"
    done = await gql(web, change, mine, c=PASSWORD, n="nouveau mot de passe")
    assert done["data"]["changePassword"] == {"ok": True, "errors": []}
    assert "errors" not in await gql(web, VIEWER, mine)
    assert (
        await web.http.post("/graphql", json={"query": VIEWER}, headers=other)
    ).status_code == 401


# --- invitations and memberships --------------------------------------------------------


INVITE = """mutation($e: String!, $n: String!, $r: [String!]!) {
  inviteMember(input: { email: $e, displayName: $n, roles: $r }) {
    member { id email status roles } errors { code field } } }"""
UPDATE = """mutation($id: ID!, $roles: [String!], $grants: [String!], $active: Boolean) {
  updateMember(id: $id, input: { roles: $roles, grants: $grants, active: $active }) {
    member { roles grants active } errors { code field message } } }"""


async def test_a_pole_admin_invites_a_member_who_chooses_a_password(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    admin = await bearer(web, await person(db, (two_poles.a, ["pole_admin"])))
    email = f"nouvelle-{uuid.uuid4().hex[:6]}@exemple.fr"
    invited = await gql(web, INVITE, admin, e=email, n="Lucie Nouvelle", r=["staff"])
    member = invited["data"]["inviteMember"]["member"]
    assert member["status"] == "invited" and member["roles"] == ["staff"]
    # Until she chooses a password, inviting her again sends a new link.
    again = await gql(web, INVITE, admin, e=email.upper(), n="Lucie", r=["staff"])
    assert again["data"]["inviteMember"]["member"]["id"] == member["id"]
    bad_role = await gql(web, INVITE, admin, e=f"b{email}", n="B", r=["chef"])
    assert bad_role["data"]["inviteMember"]["errors"] == [{"code": "VALIDATION", "field": "roles"}]

    staff = await bearer(web, await person(db, (two_poles.a, ["staff"])))
    forbidden = await gql(web, INVITE, staff, e=f"c{email}", n="C", r=["staff"])
    assert error_codes(forbidden) == ["FORBIDDEN"]

    token = _token(await _last_mail(db, email))
    accepted = await web.http.post(
        "/auth/invitation",
        json={"token": token, "password": "mon mot de passe à moi", "display_name": "Lucie N."},
    )
    assert accepted.status_code == 200
    lucie = Person(email, uuid.uuid4(), "mon mot de passe à moi")
    viewer = await gql(web, VIEWER, await bearer(web, lucie))
    assert viewer["data"]["viewer"]["displayName"] == "Lucie N."
    twice = await gql(web, INVITE, admin, e=email, n="Lucie", r=["staff"])
    assert twice["data"]["inviteMember"]["errors"] == [{"code": "CONFLICT", "field": "email"}]
    trail = await gql(
        web, '{ auditEvents(action: "members.invite") { edges { node { actorName } } } }', admin
    )
    assert {e["node"]["actorName"] for e in trail["data"]["auditEvents"]["edges"]} == {"Agnès Test"}
    assert viewer["data"]["viewer"]["currentPole"]["slug"] == two_poles.a.slug
    assert viewer["data"]["viewer"]["roles"] == ["staff"]


async def test_roles_and_deactivation_apply_on_the_next_request(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    admin_person = await person(db, (two_poles.a, ["pole_admin"]))
    admin = await bearer(web, admin_person)
    who = await person(db, (two_poles.a, ["coordinator"]))
    theirs = await bearer(web, who)
    assert "errors" not in await gql(web, "{ members { totalCount } }", theirs)
    async with db.session(two_poles.a.id) as session:
        membership_id = (
            await session.execute(select(Membership.id).where(Membership.user_id == who.user_id))
        ).scalar_one()

    demoted = await gql(web, UPDATE, admin, id=str(membership_id), roles=["staff"])
    assert demoted["data"]["updateMember"]["member"]["roles"] == ["staff"]
    assert error_codes(await gql(web, "{ members { totalCount } }", theirs)) == ["FORBIDDEN"]

    not_sensitive = await gql(web, UPDATE, admin, id=str(membership_id), grants=["audit.read"])
    assert not_sensitive["data"]["updateMember"]["errors"][0]["field"] == "grants"

    off = await gql(web, UPDATE, admin, id=str(membership_id), active=False)
    assert off["data"]["updateMember"]["member"]["active"] is False
    assert error_codes(await gql(web, "{ serviceAreas { name } }", theirs)) == ["FORBIDDEN"]

    async with db.session(two_poles.a.id) as session:
        admin_id = (
            await session.execute(
                select(Membership.id).where(Membership.user_id == admin_person.user_id)
            )
        ).scalar_one()
    self_demote = await gql(web, UPDATE, admin, id=str(admin_id), roles=["staff"])
    assert self_demote["data"]["updateMember"]["errors"][0]["field"] == "roles"

    members = await gql(web, "{ members(includeInactive: true) { totalCount } }", admin)
    assert members["data"]["members"]["totalCount"] == 2
    trail = await gql(
        web,
        '{ auditEvents(action: "members.update") { edges { node { fields actor } } } }',
        admin,
    )
    fields = [e["node"]["fields"] for e in trail["data"]["auditEvents"]["edges"]]
    assert ["active"] in fields and ["roles"] in fields


async def test_a_person_in_two_poles_switches_and_sessions_keep_the_choice(
    web: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = await person(db, (two_poles.a, ["coordinator"]), (two_poles.b, ["pole_admin"]))
    headers = await bearer(web, who, pole=two_poles.b.slug)
    viewer = await gql(web, VIEWER, headers)
    assert viewer["data"]["viewer"]["currentPole"]["slug"] == two_poles.b.slug
    assert viewer["data"]["viewer"]["roles"] == ["pole_admin"]
    switch = "mutation($p: String!) { switchTenant(pole: $p) { errors { code field } } }"
    assert (await gql(web, switch, headers, p=two_poles.a.slug))["data"]["switchTenant"][
        "errors"
    ] == []
    viewer = await gql(web, VIEWER, headers)
    assert viewer["data"]["viewer"]["currentPole"]["slug"] == two_poles.a.slug
    assert viewer["data"]["viewer"]["roles"] == ["coordinator"]
    # A per-request choice wins for that request only.
    per_request = await gql(web, VIEWER, {**headers, "x-maillage-tenant": two_poles.b.slug})
    assert per_request["data"]["viewer"]["roles"] == ["pole_admin"]
    async with db.reference_session() as session:
        switched = await session.scalar(
            select(func.count())
            .select_from(SecurityEvent)
            .where(SecurityEvent.user_id == who.user_id, SecurityEvent.kind == "tenant_switched")
        )
        assert switched == 1
        sessions = await session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.user_id == who.user_id)
        )
        assert sessions == 1
