"""The GDPR life cycle through the real API and the real report routes: a coordinator
records a crèche's request, follows the child, shares a reception plan under consent,
closes, exports the family's data (JSON and HTML) and erases it; legal holds defer an
erasure until lifted; the retention purge (dry run, then applied) anonymises what has
expired and nothing else; the deletions feed lists what went; another pole sees none
of it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select

from core.access.actions import Actor, Caller
from core.api.ids import try_uuid
from core.audit.models import AuditEvent, DeletedRecord
from core.cli.main import main
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.families.models import Child, Consent, Family, Guardian
from core.domain.gdpr import service
from core.domain.plans.models import ReceptionPlan
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.live import demo_environment, demo_setup

GRANTS = frozenset({"gdpr.manage", "children.health", "families.situation"})

EXPORT = """query($f: ID!) { familyDataExport(familyId: $f) {
  familyId data htmlUrl jsonUrl } }"""
ERASE = """mutation($f: ID!, $on: Date!, $who: String!) {
  eraseFamilyData(input: { familyId: $f, receivedOn: $on, requester: $who }) {
    request { status statusLabel counts exceptions { reason reasonLabel until } doneAt }
    errors { code field } } }"""
HOLD = """mutation($f: ID!, $reason: String!, $note: String!, $until: Date) {
  placeLegalHold(input: { familyId: $f, reason: $reason, note: $note, until: $until }) {
    hold { id reasonLabel active } errors { code field } } }"""
LIFT = """mutation($id: ID!) { liftLegalHold(id: $id) {
  hold { active liftedAt } erasure { status counts } errors { code field } } }"""
DELETIONS = """query($since: DateTime!) { deletions(since: $since, first: 100) {
  totalCount edges { node { type objectId globalId } } } }"""


def actor(*roles: str, grants: frozenset[str] = GRANTS) -> Actor:
    return Actor(
        subject=f"test:gdpr-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset(roles),
        grants=grants,
    )


async def call(
    client: GraphQLClient, who: Actor, pole: Any, query: str, **variables: Any
) -> dict[str, Any]:
    result = await client.execute(query, variables, tenant=pole, actor=who)
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    assert not (payload or {}).get("errors"), payload
    return payload


async def a_followed_family(client: GraphQLClient, who: Actor, pole: Any) -> dict[str, str]:
    """Everything the issue's coordinator does, through GraphQL alone."""
    creche = await call(
        client,
        who,
        pole,
        """mutation($i: StructureInput!) { createStructure(input: $i) {
          structure { id } errors { code field } } }""",
        i={
            "name": f"Crèche Les Lutins {uuid.uuid4().hex[:4]}",
            "kind": "eaje",
            "communeInsee": "62119",
        },
    )
    structure = creche["structure"]["id"]
    family = await call(
        client,
        who,
        pole,
        """mutation { createFamily(input: { name: "Famille Fictive", communeInsee: "62119",
          situation: "(fictif) Parent seul", address: "1 rue Imaginaire" }) {
          family { id } errors { code field } } }""",
    )
    family_id = family["family"]["id"]
    await call(
        client,
        who,
        pole,
        """mutation($f: ID!) { addGuardian(input: { familyId: $f, firstName: "Camille",
          lastName: "Fictive", relationship: "mother", email: "camille@example.org" }) {
          errors { code field } } }""",
        f=family_id,
    )
    child = await call(
        client,
        who,
        pole,
        """mutation($f: ID!) { addChild(input: { familyId: $f, firstName: "Léo",
          birthDate: "2023-05-17", needsProfile: ["autism"], needs: "(fictif) Repères",
          diagnosis: "(fictif) TSA" }) { child { id } errors { code field } } }""",
        f=family_id,
    )
    child_id = child["child"]["id"]
    request = await call(
        client,
        who,
        pole,
        """mutation($i: RequestInput!) { recordRequest(input: $i) {
          request { id } errors { code field } } }""",
        i={
            "receivedOn": "2026-10-05",
            "channel": "phone",
            "requesterKind": "eaje",
            "requesterName": "Directrice de la crèche",
            "subjects": ["professional_question"],
            "description": "(fictif) Questions sur les repas de Léo.",
            "structureId": structure,
            "childId": child_id,
        },
    )
    follow_up = await call(
        client,
        who,
        pole,
        """mutation($c: ID!, $r: ID) { openFollowUp(input: { childId: $c, openedOn: "2026-10-08",
          requestId: $r }) { followUp { id } errors { code field } } }""",
        c=child_id,
        r=request["request"]["id"],
    )
    follow_up_id = follow_up["followUp"]["id"]
    await call(
        client,
        who,
        pole,
        """mutation($i: InterventionInput!) { logIntervention(input: $i) {
          errors { code field } } }""",
        i={
            "followUpId": follow_up_id,
            "kind": "observation",
            "happenedOn": "2026-10-15",
            "durationMinutes": 90,
            "travelKm": 12.5,
            "place": "Crèche Les Lutins",
            "notes": "(fictif) Observation du repas.",
            "recommendations": "(fictif) Assiette à rebord, pictogrammes.",
        },
    )
    await call(
        client,
        who,
        pole,
        """mutation($f: ID!) { recordConsent(input: { familyId: $f, purpose: "share_with_structure",
          givenBy: "Camille Fictive (mère)", givenAt: "2026-10-16T10:00:00Z" }) {
          errors { code field } } }""",
        f=family_id,
    )
    plan = await call(
        client,
        who,
        pole,
        """mutation($c: ID!, $s: ID!) { writeReceptionPlan(input: { childId: $c, structureId: $s,
          content: {needs: "(fictif) Repères visuels", reviewDates: ["2026-12-15"]} }) {
          plan { id } errors { code field } } }""",
        c=child_id,
        s=structure,
    )
    plan_id = plan["plan"]["id"]
    await call(
        client,
        who,
        pole,
        "mutation($p: ID!) { shareReceptionPlan(id: $p) { errors { code field } } }",
        p=plan_id,
    )
    await call(
        client,
        who,
        pole,
        """mutation($f: ID!) { closeFollowUp(id: $f, input: { closedOn: "2026-10-30",
          outcome: "reception_adapted" }) { errors { code field } } }""",
        f=follow_up_id,
    )
    return {"family": family_id, "child": child_id, "plan": plan_id, "structure": structure}


async def test_export_then_erase_through_graphql_alone(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, other, who = two_poles.a, two_poles.b, actor("coordinator")
    ids = await a_followed_family(client, who, pole)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)

    exported = (await client.execute(EXPORT, {"f": ids["family"]}, tenant=pole, actor=who))["data"][
        "familyDataExport"
    ]
    data = exported["data"]
    assert data["format"] == "maillage.family-export/1"
    titles = [s["title"] for s in data["sections"]]
    assert titles[0] == "Dossier de la famille et des enfants"
    assert {"Demandes, suivis et interventions", "Projets d'accueil personnalisés"} <= set(titles)
    records = [r for s in data["sections"] for r in s["records"]]
    kinds = {r["type"] for r in records}
    assert {
        "Famille",
        "Représentant légal",
        "Consentement",
        "Enfant",
        "Demande d'intervention",
        "Suivi",
        "Intervention",
        "Projet d'accueil personnalisé",
        "Partage du projet d'accueil",
    } <= kinds
    child = next(r for r in records if r["type"] == "Enfant")
    assert child["fields"]["Diagnostic"] == "(fictif) TSA"  # everything, health data included
    assert child["fields"]["Profil des besoins"] == ["Troubles du spectre de l'autisme"]

    # The readable and the machine documents, through the report routes.
    headers = await client.auth_headers(pole, who)
    html = await client.http.get(exported["htmlUrl"], headers=headers)
    assert html.status_code == 200 and "Léo" in html.text and "droit d'accès" in html.text
    assert html.headers["cache-control"] == "no-store"
    as_json = await client.http.get(exported["jsonUrl"], headers=headers)
    assert as_json.json()["familyId"] == data["familyId"] == exported["familyId"]
    # Another pole, or a role without the grant, gets nothing.
    elsewhere = await client.http.get(
        exported["htmlUrl"], headers=await client.auth_headers(other, actor("coordinator"))
    )
    assert elsewhere.status_code == 404
    no_grant = await client.http.get(
        exported["htmlUrl"],
        headers=await client.auth_headers(pole, actor("coordinator", grants=frozenset())),
    )
    assert no_grant.status_code == 403
    other_export = await client.execute(
        EXPORT, {"f": ids["family"]}, tenant=other, actor=actor("coordinator")
    )
    assert error_codes(other_export) == ["NOT_FOUND"]

    # Erasure: done at once, the file anonymised, the plan deleted.
    erased = await client.execute(
        ERASE,
        {"f": ids["family"], "on": "2026-11-02", "who": "guardian"},
        tenant=pole,
        actor=who,
    )
    request = erased["data"]["eraseFamilyData"]["request"]
    assert request["status"] == "done" and request["doneAt"]
    assert request["counts"]["guardians"] == 1 and request["counts"]["reception_plans"] == 1
    families = await client.execute("{ families { totalCount } }", tenant=pole, actor=who)
    assert families["data"]["families"]["totalCount"] == 0
    async with db.session(pole.id) as session:
        family = await session.scalar(select(Family))
        assert family is not None and family.anonymised_at is not None
        assert (family.name, family.situation, family.address) == ("Dossier anonymisé", "", "")
        kid = await session.scalar(select(Child))
        assert kid is not None
        assert (kid.first_name, kid.birth_date, kid.diagnosis, kid.needs) == (
            "Enfant (anonymisé)",
            dt.date(2023, 5, 1),
            None,
            "",
        )
        assert kid.needs_profile == ["autism"]  # the coded skeleton stays for the counts
        assert await session.scalar(select(func.count()).select_from(Guardian)) == 0
        assert await session.scalar(select(func.count()).select_from(Consent)) == 0
        assert await session.scalar(select(func.count()).select_from(ReceptionPlan)) == 0
        visit = await session.scalar(select(Intervention))
        assert visit is not None
        assert (visit.notes, visit.recommendations, visit.place) == ("", "", "")
        assert (visit.duration_minutes, visit.travel_km) == (90, 12.5)
        asked = await session.scalar(select(Request))
        assert asked is not None and asked.requester_name == "(effacé)"
        assert asked.description == ""
        follow_up = await session.scalar(select(FollowUp))
        assert follow_up is not None and follow_up.outcome == "reception_adapted"
        actions = set(await session.scalars(select(AuditEvent.action)))
        assert {"gdpr.export", "gdpr.erase"} <= actions

    # The deletions feed names what went; another pole's feed is empty.
    feed = await client.execute(DELETIONS, {"since": before.isoformat()}, tenant=pole, actor=who)
    deleted = {e["node"]["type"] for e in feed["data"]["deletions"]["edges"]}
    assert {"Guardian", "Consent", "ReceptionPlan"} <= deleted
    plan_entry = next(
        e["node"]
        for e in feed["data"]["deletions"]["edges"]
        if e["node"]["type"] == "ReceptionPlan"
    )
    assert plan_entry["globalId"] == ids["plan"]
    theirs = await client.execute(
        DELETIONS, {"since": before.isoformat()}, tenant=other, actor=actor("coordinator")
    )
    assert theirs["data"]["deletions"]["totalCount"] == 0

    twice = await client.execute(
        ERASE,
        {"f": ids["family"], "on": "2026-11-02", "who": "guardian"},
        tenant=pole,
        actor=who,
    )
    assert twice["data"]["eraseFamilyData"]["errors"] == [{"code": "CONFLICT", "field": "familyId"}]


async def test_a_legal_hold_defers_the_erasure_until_lifted(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("pole_admin", grants=frozenset({"gdpr.manage"}))
    ids = await a_followed_family(client, actor("coordinator"), pole)
    bad = [
        ({"reason": "whim", "note": ""}, "reason"),
        ({"reason": "other", "note": "  "}, "note"),
        ({"reason": "litigation", "note": "", "until": "2001-01-01"}, "until"),
    ]
    for variables, field in bad:
        result = await client.execute(
            HOLD, {"f": ids["family"], **variables}, tenant=pole, actor=who
        )
        assert result["data"]["placeLegalHold"]["errors"] == [
            {"code": "VALIDATION", "field": field}
        ]
    held = await client.execute(
        HOLD,
        {"f": ids["family"], "reason": "child_protection", "note": "IP transmise au CD"},
        tenant=pole,
        actor=who,
    )
    hold = held["data"]["placeLegalHold"]["hold"]
    assert hold["active"] and hold["reasonLabel"].startswith("Information préoccupante")

    for variables, field in [
        ({"on": "2026-11-02", "who": "neighbour"}, "requester"),
        (
            {"on": (dt.date.today() + dt.timedelta(days=3)).isoformat(), "who": "guardian"},
            "receivedOn",
        ),
    ]:
        result = await client.execute(
            ERASE, {"f": ids["family"], **variables}, tenant=pole, actor=who
        )
        assert result["data"]["eraseFamilyData"]["errors"] == [
            {"code": "VALIDATION", "field": field}
        ]
    deferred = await client.execute(
        ERASE,
        {"f": ids["family"], "on": "2026-11-02", "who": "guardian"},
        tenant=pole,
        actor=who,
    )
    request = deferred["data"]["eraseFamilyData"]["request"]
    assert request["status"] == "deferred" and request["doneAt"] is None
    assert [e["reason"] for e in request["exceptions"]] == ["child_protection"]
    async with db.session(pole.id) as session:
        family = await session.scalar(select(Family))
        assert family is not None and family.anonymised_at is None
        assert family.name == "Famille Fictive"  # kept whole while the hold stands
    again = await client.execute(
        ERASE,
        {"f": ids["family"], "on": "2026-11-03", "who": "guardian"},
        tenant=pole,
        actor=who,
    )
    assert again["data"]["eraseFamilyData"]["errors"] == [{"code": "CONFLICT", "field": "familyId"}]

    lifted = await client.execute(LIFT, {"id": hold["id"]}, tenant=pole, actor=who)
    payload = lifted["data"]["liftLegalHold"]
    assert payload["hold"]["active"] is False and payload["hold"]["liftedAt"]
    assert payload["erasure"]["status"] == "done"
    assert payload["erasure"]["counts"]["families"] == 1
    registry = await client.execute(
        "{ erasureRequests { totalCount edges { node { status exceptions { reason } } } } }",
        tenant=pole,
        actor=who,
    )
    assert registry["data"]["erasureRequests"]["edges"][0]["node"] == {
        "status": "done",
        "exceptions": [{"reason": "child_protection"}],  # the exception stays on record
    }
    lift_again = await client.execute(LIFT, {"id": hold["id"]}, tenant=pole, actor=who)
    assert lift_again["data"]["liftLegalHold"]["errors"] == [
        {"code": "CONFLICT", "field": "holdId"}
    ]


async def test_an_unknown_requester_is_refused_listing_the_codes(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("pole_admin", grants=frozenset({"gdpr.manage"}))
    ids = await a_followed_family(client, actor("coordinator"), pole)
    result = await client.execute(
        ERASE.replace("errors { code field }", "errors { code field message }"),
        {"f": ids["family"], "on": "2026-11-02", "who": "neighbour"},
        tenant=pole,
        actor=who,
    )
    [error] = result["data"]["eraseFamilyData"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", "requester")
    assert "« neighbour »" in error["message"]
    assert "guardian, adult_child, representative, other" in error["message"]
    assert "erasureRequesters" in error["message"]


async def test_only_granted_pole_roles_reach_a_familys_data(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    owner = actor("coordinator")
    ids = await a_followed_family(client, owner, pole)
    for who in (
        actor("coordinator", grants=frozenset()),  # the role, not the explicit grant
        actor("staff"),
        actor("psychologist"),
        actor("platform_admin"),
    ):
        result = await client.execute(EXPORT, {"f": ids["family"]}, tenant=pole, actor=who)
        assert error_codes(result) == ["FORBIDDEN"], who.roles
        erase = await client.execute(
            ERASE,
            {"f": ids["family"], "on": "2026-11-02", "who": "guardian"},
            tenant=pole,
            actor=who,
        )
        assert error_codes(erase) == ["FORBIDDEN"]


async def test_the_purge_anonymises_only_expired_unheld_closed_files(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    expired = await a_followed_family(client, who, pole)
    held = await a_followed_family(client, who, pole)
    await call(client, who, pole, HOLD, f=held["family"], reason="litigation", note="", until=None)
    still_open = await a_followed_family(client, who, pole)
    await call(
        client,
        who,
        pole,
        """mutation($c: ID!) { openFollowUp(input: { childId: $c, openedOn: "2026-11-05" }) {
          errors { code field } } }""",
        c=still_open["child"],
    )
    host = client.app.state.host
    sources = [s for _o, s in host.contributions.personal_data]
    purger = Caller(
        Actor("operator:test", "Exploitant", frozenset({"platform_admin"}), kind="operator"),
        host.actions,
    )
    # Everything was created today: the files' last activity is today.
    later = dt.date.today().replace(year=dt.date.today().year + 6)
    async with db.session(pole.id) as session:
        early = await service.purge(session, purger, sources, years=5, today=dt.date.today())
        assert early.expired == [] and early.held == []
        dry = await service.purge(session, purger, sources, years=5, today=later)
        await session.commit()
    assert [s.family_id for s in dry.expired] == [try_uuid(expired["family"])]
    assert [s.family_id for s in dry.held] == [try_uuid(held["family"])]
    assert not dry.applied
    async with db.session(pole.id) as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Family).where(Family.anonymised_at.is_not(None))
            )
            == 0
        ), "a dry run changes nothing"

    async with db.session(pole.id) as session:
        applied = await service.purge(session, purger, sources, years=5, today=later, apply=True)
        await session.commit()
    assert applied.applied and applied.counts["families"] == 1
    async with db.session(pole.id) as session:
        names = {i: n for i, n in await session.execute(select(Family.id, Family.name))}
        audited = list(
            await session.scalars(
                select(AuditEvent.object_id).where(AuditEvent.action == "gdpr.purge")
            )
        )
    assert names[try_uuid(expired["family"])] == "Dossier anonymisé"
    assert names[try_uuid(held["family"])] == "Famille Fictive"
    assert names[try_uuid(still_open["family"])] == "Famille Fictive"
    assert audited == [str(try_uuid(expired["family"]))]
    async with db.session(two_poles.b.id) as session:
        assert await session.scalar(select(func.count()).select_from(DeletedRecord)) == 0


def test_the_purge_command_is_a_dry_run_unless_applied(
    tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    # The run's demo database (built once, copied: tests/live.py), as `demo setup` leaves it.
    env = demo_environment(tmp_path, MAILLAGE_LOG_FORMAT="console")
    demo_setup(env, tmp_path)
    for name, value in env.items():
        if name.startswith("MAILLAGE_"):
            monkeypatch.setenv(name, value)
    assert main(["gdpr", "purge", "--today", "2040-01-01"]) == 0
    dry = capsys.readouterr().out
    assert "simulation" in dry and "à anonymiser" in dry
    assert "Famille" not in dry  # ids and dates only: the operator reads no name
    assert main(["gdpr", "purge", "--today", "2040-01-01", "--apply"]) == 0
    applied = capsys.readouterr().out
    assert "anonymisé(s)" in applied and "lignes effacées ou anonymisées" in applied
    assert main(["gdpr", "purge", "--today", "2040-01-01"]) == 0
    assert " 0 dossier(s) à anonymiser" in capsys.readouterr().out
    assert main(["gdpr", "purge", "--tenant", "nulle-part"]) == 2
    assert "--tenant" in capsys.readouterr().err


async def test_adhesions_are_exported_and_invoices_kept_but_unlinked(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    from core.domain.adhesions.models import Adhesion, Invoice

    pole, who = two_poles.a, actor("coordinator")
    ids = await a_followed_family(client, who, pole)
    family_id = try_uuid(ids["family"])
    async with db.session(pole.id) as session:
        session.add(
            Adhesion(
                year=2026,
                category="family",
                family_id=family_id,
                joined_on=dt.date(2026, 1, 10),
                amount_cents=0,
                first_year_free=True,
                recorded_by="test",
            )
        )
        session.add(
            Invoice(
                status="draft",
                customer_name="Camille Fictive",
                family_id=family_id,
                total_cents=2500,
            )
        )
        await session.commit()
    exported = await client.execute(EXPORT, {"f": ids["family"]}, tenant=pole, actor=who)
    section = next(
        s
        for s in exported["data"]["familyDataExport"]["data"]["sections"]
        if s["source"] == "adhesions"
    )
    assert [r["type"] for r in section["records"]] == ["Adhésion", "Facture"]
    erased = await client.execute(
        ERASE, {"f": ids["family"], "on": "2026-11-02", "who": "guardian"}, tenant=pole, actor=who
    )
    assert erased["data"]["eraseFamilyData"]["request"]["counts"]["invoices_unlinked"] == 1
    async with db.session(pole.id) as session:
        invoice = await session.scalar(select(Invoice))
        assert invoice is not None
        # An accounting record, kept as issued; it no longer names the anonymised file.
        assert (invoice.customer_name, invoice.family_id) == ("Camille Fictive", None)
        assert await session.scalar(select(func.count()).select_from(Adhesion)) == 1
