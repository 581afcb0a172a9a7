"""Personalised reception plans through the real API and the real report routes:
versions, sharing only under the family's consent (withdrawal ends it), the printable
document in HTML and PDF, audited, refused to other poles and roles."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.families.models import Child, Family
from core.domain.structures.models import Structure
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.pdf import html_text, pdf_text

WRITE = """mutation($c: ID, $s: ID, $p: ID, $content: ReceptionPlanInput!) {
  writeReceptionPlan(id: $p, input: { childId: $c, structureId: $s, content: $content }) {
    plan { id currentVersion sharedWithStructure htmlUrl pdfUrl structure { name }
      versions { version needs adaptationPeriods { startsOn description } reviewDates } }
    errors { code field } } }"""
SHARE = """mutation($id: ID!) { shareReceptionPlan(id: $id) {
  plan { sharedWithStructure sharedAt } errors { code field message } } }"""
REVOKE = """mutation($id: ID!) { revokeReceptionPlanShare(id: $id) {
  plan { sharedWithStructure } errors { code field } } }"""
CONTENT = {
    "needs": "(fictif) Besoin de repères visuels.",
    "habits": "(fictif) Sieste après le repas, doudou lapin.",
    "communication": "(fictif) Quelques signes ; pictogrammes.",
    "adaptations": "(fictif) Coin calme ; transitions annoncées.",
    "adaptationPeriods": [
        {"startsOn": "2026-09-01", "endsOn": "2026-09-12", "description": "Demi-journées"}
    ],
    "reviewDates": ["2026-12-15"],
}


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:plan-{uuid.uuid4().hex[:8]}", display_name="Test", roles=frozenset(roles)
    )


async def setup(db: Database, pole: Any) -> tuple[str, str, str]:
    async with db.session(pole.id) as session:
        family = Family(name="Famille P", search_name="famille p", commune_insee="62119")
        creche = Structure(
            name="Crèche Les Lutins",
            search_name="creche les lutins",
            kind="eaje",
            commune_insee="62119",
        )
        session.add_all([family, creche])
        await session.flush()
        child = Child(
            family_id=family.id,
            first_name="Léo",
            birth_date=dt.date(2023, 5, 2),
            commune_insee="62119",
        )
        session.add(child)
        await session.commit()
        return str(family.id), str(child.id), str(creche.id)


async def test_write_version_share_under_consent_and_print(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    family, child, creche = await setup(db, pole)
    empty = await client.execute(
        WRITE, {"c": child, "s": creche, "content": {}}, tenant=pole, actor=who
    )
    assert empty["data"]["writeReceptionPlan"]["errors"] == [
        {"code": "VALIDATION", "field": "needs"}
    ]
    backwards = {
        **CONTENT,
        "adaptationPeriods": [
            {"startsOn": "2026-09-12", "endsOn": "2026-09-01", "description": "x"}
        ],
    }
    bad = await client.execute(
        WRITE, {"c": child, "s": creche, "content": backwards}, tenant=pole, actor=who
    )
    assert bad["data"]["writeReceptionPlan"]["errors"] == [
        {"code": "VALIDATION", "field": "adaptationPeriods.0.endsOn"}
    ]
    first = await client.execute(
        WRITE, {"c": child, "s": creche, "content": CONTENT}, tenant=pole, actor=who
    )
    plan = first["data"]["writeReceptionPlan"]["plan"]
    assert plan["currentVersion"] == 1 and plan["structure"]["name"] == "Crèche Les Lutins"
    second = await client.execute(
        WRITE,
        {"p": plan["id"], "content": {**CONTENT, "evaluation": "(fictif) Bilan positif."}},
        tenant=pole,
        actor=who,
    )
    versions = second["data"]["writeReceptionPlan"]["plan"]["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["reviewDates"] == ["2026-12-15"]

    refused = await client.execute(SHARE, {"id": plan["id"]}, tenant=pole, actor=who)
    assert refused["data"]["shareReceptionPlan"]["errors"][0]["field"] == "consent"
    consent = await client.execute(
        'mutation($f: ID!) { recordConsent(input: { familyId: $f, purpose: "share_with_structure", '
        'givenBy: "Mme P", givenAt: "2026-10-01T09:00:00+02:00" }) { family { consent('
        'purpose: "share_with_structure") { id } } } }',
        {"f": family},
        tenant=pole,
        actor=who,
    )
    consent_id = consent["data"]["recordConsent"]["family"]["consent"]["id"]
    shared = await client.execute(SHARE, {"id": plan["id"]}, tenant=pole, actor=who)
    assert shared["data"]["shareReceptionPlan"]["plan"]["sharedWithStructure"] is True
    twice = await client.execute(SHARE, {"id": plan["id"]}, tenant=pole, actor=who)
    assert twice["data"]["shareReceptionPlan"]["errors"][0]["code"] == "CONFLICT"
    # The family withdraws its consent: the plan is no longer shared.
    await client.execute(
        'mutation($id: ID!) { withdrawConsent(id: $id, by: "Mme P") { errors { code } } }',
        {"id": consent_id},
        tenant=pole,
        actor=who,
    )
    state = await client.execute(
        "query($c: ID!) { receptionPlans(childId: $c) { sharedWithStructure } }",
        {"c": child},
        tenant=pole,
        actor=who,
    )
    assert state["data"]["receptionPlans"] == [{"sharedWithStructure": False}]
    revoke = await client.execute(REVOKE, {"id": plan["id"]}, tenant=pole, actor=who)
    assert revoke["data"]["revokeReceptionPlanShare"]["errors"][0]["code"] == "CONFLICT"

    headers = await client.auth_headers(pole, who)
    html = await client.http.get(plan["htmlUrl"], headers=headers)
    assert html.status_code == 200 and "Projet d'accueil personnalisé" in html.text
    assert "Léo" in html.text and "Version 2" in html.text and "01/09/2026" in html.text
    old = await client.http.get(plan["htmlUrl"] + "?version=1", headers=headers)
    assert "Version 1" in old.text and "Bilan positif" not in old.text
    pdf = await client.http.get(plan["pdfUrl"], headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    async with db.session(pole.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.object_type == "ReceptionPlan", AuditEvent.action == "read"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(reads) == 3


async def test_the_document_is_refused_outside_the_pole_and_the_roles(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = actor("coordinator")
    _family, child, creche = await setup(db, two_poles.a)
    made = await client.execute(
        WRITE, {"c": child, "s": creche, "content": CONTENT}, tenant=two_poles.a, actor=who
    )
    url = made["data"]["writeReceptionPlan"]["plan"]["htmlUrl"]
    assert (await client.http.get(url)).status_code == 401
    other = await client.auth_headers(two_poles.b, actor("coordinator"))
    assert (await client.http.get(url, headers=other)).status_code == 404
    family = await client.auth_headers(two_poles.a, actor("family"))
    assert (await client.http.get(url, headers=family)).status_code == 403
    listed = await client.execute(
        "query($c: ID!) { receptionPlans(childId: $c) { id } }",
        {"c": child},
        tenant=two_poles.b,
        actor=actor("coordinator"),
    )
    assert listed["data"]["receptionPlans"] == []
    assert error_codes(
        await client.execute(
            WRITE,
            {"c": child, "s": creche, "content": CONTENT},
            tenant=two_poles.a,
            actor=actor("partner_structure"),
        )
    ) == ["FORBIDDEN"]


async def test_the_structures_team_reads_what_is_shared_with_it_and_nothing_else(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    from core.testing.accounts import ensure_user
    from tests.domain.test_gdpr import a_followed_family, call

    pole = two_poles.a
    coordinator = Actor(
        subject=f"test:plan-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice",
        roles=frozenset({"coordinator"}),
        grants=frozenset({"children.health", "families.situation"}),
    )
    ids = await a_followed_family(client, coordinator, pole)  # a plan shared with the crèche
    team, stranger, staff = (
        actor("partner_structure"),
        actor("partner_structure"),
        actor("staff"),
    )
    for who in (team, stranger, staff):
        await client.auth_headers(pole, who)  # their accounts and memberships exist
    team_id = (await ensure_user(client.app.state.auth, team)).id
    staff_id = (await ensure_user(client.app.state.auth, staff)).id
    attach = """mutation($s: ID!, $u: ID!) { addStructureStaff(structureId: $s, userId: $u) {
      structure { name } errors { code field } } }"""
    wrong_role = await client.execute(
        attach, {"s": ids["structure"], "u": str(staff_id)}, tenant=pole, actor=coordinator
    )
    assert wrong_role["data"]["addStructureStaff"]["errors"] == [
        {"code": "VALIDATION", "field": "userId"}
    ]
    unknown = await client.execute(
        attach, {"s": ids["structure"], "u": str(uuid.uuid4())}, tenant=pole, actor=coordinator
    )
    assert unknown["data"]["addStructureStaff"]["errors"] == [
        {"code": "NOT_FOUND", "field": "userId"}
    ]
    await call(client, coordinator, pole, attach, s=ids["structure"], u=str(team_id))
    twice = await client.execute(
        attach, {"s": ids["structure"], "u": str(team_id)}, tenant=pole, actor=coordinator
    )
    assert twice["data"]["addStructureStaff"]["errors"] == [{"code": "CONFLICT", "field": "userId"}]
    refused = await client.execute(
        attach, {"s": ids["structure"], "u": str(team_id)}, tenant=pole, actor=team
    )
    assert error_codes(refused) == ["FORBIDDEN"]

    shared = """{ sharedReceptionPlans { id childFirstName structureName htmlUrl
      current { version needs } } }"""
    mine = await client.execute(shared, tenant=pole, actor=team)
    (plan,) = mine["data"]["sharedReceptionPlans"]
    assert (
        plan["childFirstName"] == "Léo" and plan["current"]["needs"] == "(fictif) Repères visuels"
    )
    page = await client.http.get(plan["htmlUrl"], headers=await client.auth_headers(pole, team))
    assert page.status_code == 200 and "Léo" in page.text
    old = await client.http.get(
        plan["htmlUrl"] + "?version=9", headers=await client.auth_headers(pole, team)
    )
    assert old.status_code == 404
    # Not attached: nothing, and the document is not found (as another pole's).
    assert (await client.execute(shared, tenant=pole, actor=stranger))["data"][
        "sharedReceptionPlans"
    ] == []
    elsewhere = await client.http.get(
        plan["htmlUrl"], headers=await client.auth_headers(pole, stranger)
    )
    assert elsewhere.status_code == 404
    # The family file stays closed to the structure's team.
    family = await client.execute("{ families { totalCount } }", tenant=pole, actor=team)
    assert error_codes(family) == ["FORBIDDEN"]
    async with db.session(pole.id) as session:
        reads = list(
            await session.scalars(
                select(AuditEvent.actor).where(
                    AuditEvent.action == "read", AuditEvent.object_type == "ReceptionPlan"
                )
            )
        )
    assert f"user:{team_id}" in reads  # the team's read is on the record

    # Revoked: gone at once.
    await call(
        client,
        coordinator,
        pole,
        "mutation($p: ID!) { revokeReceptionPlanShare(id: $p) { errors { code field } } }",
        p=ids["plan"],
    )
    assert (await client.execute(shared, tenant=pole, actor=team))["data"][
        "sharedReceptionPlans"
    ] == []
    gone = await client.http.get(plan["htmlUrl"], headers=await client.auth_headers(pole, team))
    assert gone.status_code == 404
    detach = """mutation($s: ID!, $u: ID!) { removeStructureStaff(structureId: $s, userId: $u) {
      errors { code field } } }"""
    await call(client, coordinator, pole, detach, s=ids["structure"], u=str(team_id))
    again = await client.execute(
        detach, {"s": ids["structure"], "u": str(team_id)}, tenant=pole, actor=coordinator
    )
    assert again["data"]["removeStructureStaff"]["errors"] == [
        {"code": "NOT_FOUND", "field": "userId"}
    ]


CONSENT = """mutation($f: ID!) { recordConsent(input: {
  familyId: $f, purpose: "share_with_structure",
  givenBy: "Mme P", givenAt: "2026-10-01T09:00:00+02:00" }) {
  family { consent(purpose: "share_with_structure") { id } } } }"""
WITHDRAW = 'mutation($id: ID!) { withdrawConsent(id: $id, by: "Mme P") { errors { code } } }'
SHARING_STEPS = {
    "no consent, not shared": (),
    "consent given, not shared": ("consent",),
    "shared under consent": ("consent", "share"),
    "share revoked": ("consent", "share", "revoke"),
    "consent withdrawn": ("consent", "share", "withdraw"),
}


@pytest.mark.parametrize("state", list(SHARING_STEPS))
async def test_the_printed_plan_states_the_sharing_and_consent_the_data_holds(
    client: GraphQLClient, db: Database, two_poles: TwoPoles, state: str
) -> None:
    """The footer is a legal statement: it says what the records say, in each state."""
    pole, who = two_poles.a, actor("coordinator")
    family, child, creche = await setup(db, pole)
    made = await client.execute(
        WRITE, {"c": child, "s": creche, "content": CONTENT}, tenant=pole, actor=who
    )
    plan = made["data"]["writeReceptionPlan"]["plan"]
    consent_id = ""
    for step in SHARING_STEPS[state]:
        if step == "consent":
            given = await client.execute(CONSENT, {"f": family}, tenant=pole, actor=who)
            consent_id = given["data"]["recordConsent"]["family"]["consent"]["id"]
        elif step == "share":
            done = await client.execute(SHARE, {"id": plan["id"]}, tenant=pole, actor=who)
            assert done["data"]["shareReceptionPlan"]["errors"] == []
        elif step == "revoke":
            done = await client.execute(REVOKE, {"id": plan["id"]}, tenant=pole, actor=who)
            assert done["data"]["revokeReceptionPlanShare"]["errors"] == []
        else:
            done = await client.execute(WITHDRAW, {"id": consent_id}, tenant=pole, actor=who)
            assert done["data"]["withdrawConsent"]["errors"] == []
    today = dt.datetime.now(dt.UTC).strftime("%d/%m/%Y")
    expected = {
        "no consent, not shared": "Non partagé avec la structure : la famille n'a pas donné "
        "son accord au partage.",
        "consent given, not shared": "Non partagé avec la structure : la famille a donné son "
        "accord au partage le 01/10/2026, le projet n'a pas été partagé.",
        "shared under consent": f"Partagé avec l'équipe de la structure le {today}, avec "
        "l'accord de la famille donné le 01/10/2026.",
        "share revoked": f"Non partagé avec la structure : le partage a été retiré le {today}.",
        "consent withdrawn": "Non partagé avec la structure : la famille a retiré son accord "
        f"au partage le {today}.",
    }[state]
    headers = await client.auth_headers(pole, who)
    html = await client.http.get(plan["htmlUrl"], headers=headers)
    pdf = await client.http.get(plan["pdfUrl"], headers=headers)
    assert html.status_code == 200 and pdf.status_code == 200
    for text in (html_text(html.text), pdf_text(pdf.content)):
        assert f"Document confidentiel. {expected} Situation au {today}." in text
        if state != "shared under consent":
            assert "avec l'accord de la famille" not in text
