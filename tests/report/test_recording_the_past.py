"""Recording the past (issue 17, item 8): a pole that starts mid-year, or brings last year
in, enters through GraphQL alone, as its team would, everything the report counts with
past dates — a follow-up opened in 2024 and its interventions, a child who was 15 in 2021
and is an adult today, a reception plan dated last spring, a training session held on
three separate days and corrected afterwards, a session by video with no commune — and
finds each in the report of its own year, with ages counted on the follow-up's dates. The
audit trail says who entered what, and when: today, not the business date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from strawberry import relay

from core.access.actions import Actor
from core.tenancy.config import default_settings
from core.testing.client import GraphQLClient
from tests.domain.test_casework import CLOSE, LOG, OPEN
from tests.domain.test_plans import CONTENT
from tests.plugins.referent_charters.operations import (
    CORRECT_SESSION,
    RECORD_SESSION,
    REGISTER,
    referent_input,
)
from tests.report.test_activity_report import report, section, table
from tests.report.year import (
    BETHUNE,
    CHILD,
    ENABLE,
    FAMILY,
    SESSION,
    STRUCTURE,
    _ok,
)

# The person who brings the past in; the pole's administrator then reads the trail.
COORDINATOR = Actor(
    subject="test:past-coordinator",
    display_name="Coordinatrice qui saisit le passé",
    roles=frozenset({"coordinator"}),
)


def last_spring() -> dt.date:
    """The most recent 14 April that is past, asked when used (a run may cross midnight,
    or the new year)."""
    today = dt.date.today()
    return dt.date(today.year if dt.date(today.year, 4, 14) <= today else today.year - 1, 4, 14)


AGE = """query($id: ID!, $on: Date!) { node(id: $id) { ... on Child {
  today: age  then: age(on: $on) } } }"""
PLAN = """mutation($c: ID!, $s: ID!, $content: ReceptionPlanInput!) {
  writeReceptionPlan(input: { childId: $c, structureId: $s, content: $content }) {
    plan { id htmlUrl versions { version writtenOn writtenAt adaptationPeriods { startsOn } } }
    errors { code field } } }"""
RECORD_VIDEO = """mutation($input: AwarenessSessionInput!) { recordAwarenessSession(input: $input) {
  awarenessSession { id commune { name } remote heldOn } errors { code field } } }"""
TRAIL = """query($action: String!) { auditEvents(action: $action, first: 20) {
  edges { node { at actor actorName action objectType objectId fields } } } }"""


def _raw(global_id: str) -> str:
    """The record's own id, as the audit trail names it."""
    return relay.GlobalID.from_id(global_id).node_id


def _children(data: dict) -> int:
    figure = section(data, "key_figures")["blocks"][0]["figures"][0]
    assert figure["label"] == "enfants suivis"
    return figure["value"]["value"]


async def _errors(client: GraphQLClient, pole: Any, query: str, field: str, **kw: Any) -> list:
    result = await client.execute(query, kw, tenant=pole, actor=COORDINATOR)
    assert "errors" not in result, result
    return result["data"][field]["errors"]


async def test_the_past_is_entered_counted_in_its_year_and_traced_today(
    client: GraphQLClient, make_tenant: Any
) -> None:
    # The pole's brackets (its file, synced by the operator) reach 18, so that a child of
    # 15 and an adult of 20 fall in different brackets.
    pole = await make_tenant(
        "62", settings={**default_settings(), "age_brackets": [0, 3, 6, 12, 18]}
    )
    started = dt.datetime.now(dt.UTC)

    async def ok(query: str, field: str, **variables: Any) -> Any:
        return await _ok(client, pole, query, field, actor=COORDINATOR, **variables)

    family = (await ok(FAMILY, "createFamily", name="Famille Passé", commune=BETHUNE))["family"]
    creche = (
        await ok(
            STRUCTURE,
            "createStructure",
            input={"name": "Crèche Les Lutins", "kind": "eaje", "communeInsee": BETHUNE},
        )
    )["structure"]["id"]

    # A follow-up opened in 2024 and its interventions: counted in 2024, not in 2025.
    lea = (
        await ok(CHILD, "addChild", family=family["id"], name="Léa", born="2022-03-01", needs=[])
    )["child"]["id"]
    follow_up = (await ok(OPEN, "openFollowUp", child=lea, on="2024-03-04"))["followUp"]["id"]
    for kind, day in (("observation", "2024-03-18"), ("home_visit", "2024-06-10")):
        await ok(
            LOG,
            "logIntervention",
            input={"followUpId": follow_up, "kind": kind, "happenedOn": day},
        )
    await ok(CLOSE, "closeFollowUp", id=follow_up, on="2024-12-13", outcome="reception_adapted")

    # A child born in 2006, followed in 2021 at 15: accepted, though 18 or more today.
    sam = (
        await ok(CHILD, "addChild", family=family["id"], name="Sam", born="2006-03-01", needs=[])
    )["child"]["id"]
    ages = await client.execute(AGE, {"id": sam, "on": "2021-05-10"}, tenant=pole)
    assert ages["data"]["node"]["then"] == 15 and ages["data"]["node"]["today"] >= 18
    # The age limit is the follow-up's: at 15 in 2021 yes, as the adult of today no.
    assert await _errors(
        client, pole, OPEN, "openFollowUp", child=sam, on=dt.date.today().isoformat()
    ) == [{"code": "VALIDATION", "field": "openedOn"}]
    old = (await ok(OPEN, "openFollowUp", child=sam, on="2021-05-10"))["followUp"]["id"]
    await ok(
        LOG,
        "logIntervention",
        input={"followUpId": old, "kind": "observation", "happenedOn": "2021-06-01"},
    )
    await ok(CLOSE, "closeFollowUp", id=old, on="2021-12-15", outcome="reception_adapted")

    # A reception plan dated last spring keeps its date; a date to come is refused.
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert await _errors(
        client,
        pole,
        PLAN,
        "writeReceptionPlan",
        c=lea,
        s=creche,
        content={**CONTENT, "writtenOn": tomorrow.isoformat()},
    ) == [{"code": "VALIDATION", "field": "writtenOn"}]
    spring_period = {
        "startsOn": last_spring().isoformat(),
        "endsOn": (last_spring() + dt.timedelta(days=11)).isoformat(),
        "description": "Demi-journées d'adaptation",
    }
    plan = (
        await ok(
            PLAN,
            "writeReceptionPlan",
            c=lea,
            s=creche,
            content={
                **CONTENT,
                "adaptationPeriods": [spring_period],
                "reviewDates": [(last_spring() + dt.timedelta(days=60)).isoformat()],
                "writtenOn": last_spring().isoformat(),
            },
        )
    )["plan"]
    (version,) = plan["versions"]
    assert version["writtenOn"] == last_spring().isoformat()
    assert version["adaptationPeriods"] == [{"startsOn": last_spring().isoformat()}]
    assert dt.datetime.fromisoformat(version["writtenAt"]) >= started
    printed = await client.http.get(plan["htmlUrl"], headers=await client.auth_headers(pole))
    assert printed.status_code == 200
    assert f"Version 1 du {last_spring():%d/%m/%Y}" in printed.text

    # A training session held on three separate days, then one day moved.
    await _ok(client, pole, ENABLE, "enablePlugin")
    days = ["2024-01-15", "2024-02-12", "2024-03-11"]
    training = (
        await ok(
            RECORD_SESSION,
            "referentChartersRecordTrainingSession",
            input={"number": 4, "title": "Session de printemps", "days": days},
        )
    )["trainingSession"]
    await ok(
        REGISTER,
        "referentChartersRegisterReferent",
        input=referent_input(training["id"], communeInsee=BETHUNE),
    )
    moved = [*days[:2], "2024-03-18"]
    # The last day said apart must be the last of the days.
    assert await _errors(
        client,
        pole,
        CORRECT_SESSION,
        "referentChartersCorrectTrainingSession",
        id=training["id"],
        input={"number": 4, "days": moved, "endOn": "2024-03-11"},
    ) == [
        {
            "code": "VALIDATION",
            "field": "input.endOn",
            "message": ("le dernier jour est la dernière journée notée (18 mars 2024)"),
        }
    ]
    corrected = (
        await ok(
            CORRECT_SESSION,
            "referentChartersCorrectTrainingSession",
            id=training["id"],
            input={"number": 4, "title": "Session de printemps", "days": list(reversed(moved))},
        )
    )["trainingSession"]
    assert (corrected["startOn"], corrected["endOn"], corrected["days"]) == (
        "2024-01-15",
        "2024-03-18",
        moved,
    )
    assert corrected["referentCount"] == 1

    # An awareness session by video has no commune; a commune must not be forgotten.
    video = {
        "kind": "on_demand",
        "audience": "early_childhood",
        "heldOn": "2024-11-21",
        "halfDays": 1,
        "participantsCount": 14,
    }
    assert await _errors(client, pole, SESSION, "recordAwarenessSession", input=video) == [
        {
            "code": "VALIDATION",
            "field": "communeInsee",
            "message": ("la commune où la séance a lieu"),
        }
    ]
    assert await _errors(
        client,
        pole,
        SESSION,
        "recordAwarenessSession",
        input={**video, "remote": True, "communeInsee": BETHUNE},
    ) == [
        {
            "code": "VALIDATION",
            "field": "communeInsee",
            "message": ("une séance à distance n'a pas de commune : laissez la commune vide"),
        }
    ]
    session = (await ok(RECORD_VIDEO, "recordAwarenessSession", input={**video, "remote": True}))[
        "awarenessSession"
    ]
    assert (session["commune"], session["remote"]) == (None, True)

    # The report of 2024 counts what happened in 2024, whatever the day it was typed.
    data = await report(client, pole, year=2024)
    assert _children(data) == 1
    assert table(data, "Enfants suivis par tranche d'âge") == [
        ["Moins de 3 ans", "1", "100 %"],
        ["Total", "1", "100 %"],
    ]
    assert table(data, "Interventions par type d'intervention") == [
        ["Observation sur site", "1", "50 %"],
        ["Visite à domicile", "1", "50 %"],
        ["Total", "2", "100 %"],
    ]
    assert table(data, "Sessions par commune, durée et public") == [
        ["À distance (visio)", "½ journée", "1", "1"],
        ["À distance (visio)", "Total", "1", "1"],
        ["Ensemble", "½ journée", "1", "1"],
        ["Total", "—", "1", "1"],
    ]
    assert table(data, "Participants par public")[-1] == ["Total", "14", "100 %"]
    assert table(data, "Nouveaux référents par session de formation et lieu d'exercice") == [
        ["Session de printemps (les 15 janvier, 12 février et 18 mars 2024)", "1", "1"],
        ["Total", "1", "1"],
    ]

    # …and 2025 none of it: the follow-up closed in 2024.
    later = await report(client, pole, year=2025)
    assert _children(later) == 0
    assert table(later, "Interventions par type d'intervention") == [["Total", "0", "—"]]
    assert table(later, "Sessions par commune, durée et public") == [["Total", "—", "0"]]

    # 2021, printed today: the child is in the bracket of the age they had then (15),
    # not of today's.
    then = await report(client, pole, year=2021)
    assert _children(then) == 1
    assert table(then, "Enfants suivis par tranche d'âge") == [
        ["12 à 17 ans", "1", "100 %"],
        ["Total", "1", "100 %"],
    ]

    # The trail: who entered each of these, and when — today, not the business date.
    finished = dt.datetime.now(dt.UTC)
    entered = {
        "children.create": _raw(sam),
        "follow_ups.open": _raw(old),
        "interventions.log": None,
        "plans.write": _raw(plan["id"]),
        "outreach_sessions.record": _raw(session["id"]),
        "referent_charters.record_training_session": _raw(training["id"]),
        "referent_charters.correct_training_session": _raw(training["id"]),
    }
    for action, object_id in entered.items():
        result = await client.execute(TRAIL, {"action": action}, tenant=pole)
        assert "errors" not in result, result
        events = [e["node"] for e in result["data"]["auditEvents"]["edges"]]
        if object_id is not None:
            events = [e for e in events if e["objectId"] == object_id]
        assert events, action
        for event in events:
            assert event["actorName"] == COORDINATOR.display_name, event
            at = dt.datetime.fromisoformat(event["at"])
            assert started - dt.timedelta(seconds=1) <= at <= finished, event
    correction = await client.execute(
        TRAIL, {"action": "referent_charters.correct_training_session"}, tenant=pole
    )
    (changed,) = correction["data"]["auditEvents"]["edges"]
    assert sorted(changed["node"]["fields"]) == ["days", "end_on"]
    logged = await client.execute(TRAIL, {"action": "interventions.log"}, tenant=pole)
    assert len(logged["data"]["auditEvents"]["edges"]) == 3
