"""A known year entered through GraphQL alone, as a pole's team would (shared by the report
tests): families and children in given communes and ages, follow-ups opened in the past,
requests, interventions, awareness sessions, a kit lent and returned, a questionnaire
answered, a training session and its referents with a meeting, funding and a written
section. Year 2026 is the report's year; 2025 is « last year »."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.access.actions import Actor
from core.testing.client import GraphQLClient
from tests.domain.test_casework import CLOSE, LOG, OPEN, RECORD
from tests.domain.test_kits import CONFIRM, CREATE_KIT, DEPART, RESERVE, RETURN, kit_input
from tests.domain.test_questionnaires import ANSWER, SEND, answers, questionnaire_ids
from tests.plugins.referent_charters.operations import (
    ATTEND,
    RECORD_MEETING,
    RECORD_SESSION,
    REGISTER,
)

YEAR = 2026
BETHUNE, LENS, ARRAS = "62119", "62498", "62041"
CA_BETHUNE, CA_LENS = "CA de Béthune-Bruay, Artois-Lys Romane", "CA de Lens - Liévin"

FAMILY = """mutation($name: String!, $commune: String!) { createFamily(input: { name: $name,
  communeInsee: $commune }) { family { id } errors { code field } } }"""
CHILD = """mutation($family: ID!, $name: String!, $born: Date!, $commune: String,
  $needs: [String!]) { addChild(input: { familyId: $family, firstName: $name, birthDate: $born,
  communeInsee: $commune, needsProfile: $needs }) { child { id } errors { code field } } }"""
SESSION = """mutation($input: AwarenessSessionInput!) { recordAwarenessSession(input: $input) {
  errors { code field message } } }"""
STRUCTURE = """mutation($input: StructureInput!) { createStructure(input: $input) {
  structure { id } errors { code field } } }"""
ENABLE = """mutation { enablePlugin(name: "referent_charters") { errors { code field } } }"""
FUNDING = """mutation($input: FundingInput!) { recordFunding(input: $input) {
  errors { code field } } }"""
NARRATIVE = """mutation($input: ReportNarrativeInput!) { writeReportNarrative(input: $input) {
  errors { code field } } }"""


@dataclass
class Entered:
    pole: Any
    children: dict[str, str]


async def _ok(
    client: GraphQLClient,
    pole: Any,
    query: str,
    field: str,
    *,
    actor: Actor | None = None,
    **variables: Any,
) -> Any:
    """The payload of a mutation that must succeed, run by ``actor`` (default: the pole's
    administrator)."""
    result = await client.execute(query, variables, tenant=pole, actor=actor)
    assert "errors" not in result, result
    payload = result["data"][field]
    assert payload.get("errors", []) == [], payload
    return payload


async def enter_year(client: GraphQLClient, pole: Any, *, referents: bool = True) -> Entered:
    family = (
        await _ok(client, pole, FAMILY, "createFamily", name="Famille Exemple", commune=BETHUNE)
    )["family"]["id"]
    # name: (born, commune, needs, follow-ups [(opened, closed)])
    rows = {
        "Léo": ("2024-06-15", BETHUNE, ["motor"], [("2025-09-01", None)]),
        "Inès": ("2020-03-01", LENS, ["language"], [("2026-05-10", "2026-10-30")]),
        "Tom": ("2013-01-10", LENS, ["autism"], [("2026-06-01", None)]),
        "Zoé": ("2022-01-01", ARRAS, [], [("2024-01-01", "2025-12-31")]),
    }
    children: dict[str, str] = {}
    follow_ups: dict[str, str] = {}
    for name, (born, commune, needs, spans) in rows.items():
        child = (
            await _ok(
                client,
                pole,
                CHILD,
                "addChild",
                family=family,
                name=name,
                born=born,
                commune=commune,
                needs=needs,
            )
        )["child"]["id"]
        children[name] = child
        for opened, closed in spans:
            follow_up = (await _ok(client, pole, OPEN, "openFollowUp", child=child, on=opened))[
                "followUp"
            ]["id"]
            follow_ups[name] = follow_up
            if closed:
                await _ok(
                    client,
                    pole,
                    CLOSE,
                    "closeFollowUp",
                    id=follow_up,
                    on=closed,
                    outcome="reception_adapted",
                )
    creche = (
        await _ok(
            client,
            pole,
            STRUCTURE,
            "createStructure",
            input={"name": "Crèche Les Lutins", "kind": "eaje", "communeInsee": BETHUNE},
        )
    )["structure"]["id"]
    for received, kind, subjects in (
        ("2026-02-03", "family", ["place_search"]),
        ("2026-03-04", "eaje", ["professional_question", "equipment"]),
        ("2026-04-05", "family", ["mdph"]),
        ("2025-11-05", "childminder", ["other"]),
    ):
        await _ok(
            client,
            pole,
            RECORD,
            "recordRequest",
            input={
                "receivedOn": received,
                "channel": "phone",
                "requesterKind": kind,
                "requesterName": "Demandeur fictif",
                "subjects": subjects,
            },
        )
    for who, kind, day in (
        ("Léo", "observation", "2026-03-01"),
        ("Tom", "home_visit", "2026-07-02"),
        ("Tom", "observation", "2026-08-03"),
    ):
        await _ok(
            client,
            pole,
            LOG,
            "logIntervention",
            input={
                "followUpId": follow_ups[who],
                "kind": kind,
                "happenedOn": day,
                "durationMinutes": 60,
            },
        )
    for commune, audience, held, half_days, participants in (
        (BETHUNE, "early_childhood", "2026-03-10", 1, 12),
        (LENS, "youth", "2026-04-11", 2, 3),
        (BETHUNE, "youth", "2026-05-12", 1, 8),
    ):
        await _ok(
            client,
            pole,
            SESSION,
            "recordAwarenessSession",
            input={
                "kind": "territorial",
                "audience": audience,
                "communeInsee": commune,
                "heldOn": held,
                "halfDays": half_days,
                "participantsCount": participants,
            },
        )
    kit = (await _ok(client, pole, CREATE_KIT, "createKit", input=kit_input()))["kit"]["id"]
    loan = (
        await _ok(
            client,
            pole,
            RESERVE,
            "reserveKit",
            input={"kitId": kit, "structureId": creche, "startsOn": "2026-03-02"},
        )
    )["loan"]["id"]
    await _ok(client, pole, CONFIRM, "confirmKitLoan", id=loan)
    await _ok(
        client, pole, DEPART, "departKitLoan", id=loan, on="2026-03-02", delivery={"km": 20.5}
    )
    await _ok(
        client, pole, RETURN, "returnKitLoan", id=loan, on="2026-03-20", collection={"km": 20.5}
    )
    satisfaction = (await questionnaire_ids(client, pole, None))["satisfaction"]  # type: ignore[arg-type]
    sent = await _ok(
        client,
        pole,
        SEND,
        "sendQuestionnaire",
        q=satisfaction["id"],
        kind="follow_up",
        subject=follow_ups["Inès"],
        on="2026-11-02",
    )
    token = sent["link"].rsplit("/q/", 1)[1]
    answered = await client.execute(ANSWER, {"token": token, "answers": answers()})
    assert answered["data"]["answerQuestionnaire"]["errors"] == [], answered
    if referents:
        await _ok(client, pole, ENABLE, "enablePlugin")
        session = (
            await _ok(
                client,
                pole,
                RECORD_SESSION,
                "referentChartersRecordTrainingSession",
                input={
                    "number": 7,
                    "startOn": "2026-01-12",
                    "endOn": "2026-02-09",
                    "title": "Session d'hiver",
                },
            )
        )["trainingSession"]["id"]
        people = []
        for first, job, kind, commune in (
            ("Anne", "eje", "eaje", BETHUNE),
            ("Bruno", "childminder", "domicile", LENS),
            ("Chloé", "eje", "eaje", LENS),
        ):
            referent = await _ok(
                client,
                pole,
                REGISTER,
                "referentChartersRegisterReferent",
                input={
                    "firstName": first,
                    "lastName": "Exemple",
                    "job": job,
                    "communeInsee": commune,
                    "structureKind": kind,
                    "trainingSessionId": session,
                    "structureName": "Crèche Les Lutins" if kind == "eaje" else "",
                },
            )
            people.append(referent["referent"]["id"])
        meeting = (
            await _ok(
                client,
                pole,
                RECORD_MEETING,
                "referentChartersRecordMeeting",
                input={"heldOn": "2026-06-15", "kind": "follow_up", "title": "Rencontre de juin"},
            )
        )["meeting"]
        await _ok(
            client,
            pole,
            ATTEND,
            "referentChartersRecordAttendance",
            input={"meetingId": meeting["id"], "referentIds": people[:2]},
        )
    for funder, kind, cents in (
        ("Caisse d'allocations familiales", "grant", 3_000_000),
        ("Conseil départemental", "grant", 1_500_000),
    ):
        await _ok(
            client,
            pole,
            FUNDING,
            "recordFunding",
            input={"year": YEAR, "funder": funder, "kind": kind, "amountCents": cents},
        )
    await _ok(
        client,
        pole,
        NARRATIVE,
        "writeReportNarrative",
        input={"year": YEAR, "kind": "outlook", "body": "Ouvrir une **permanence** à Lens."},
    )
    return Entered(pole, children)
