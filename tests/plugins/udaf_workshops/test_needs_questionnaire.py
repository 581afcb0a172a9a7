"""The families' needs questionnaire, as the pole's staff and the families meet it over
HTTP: installed when the pole enables the plugin (and only then), sent after a held
workshop to each registration that came and left an address — never twice —, answered
once through its link without an account, and summarised per year; under five answers
the summary says so rather than showing shares. Another pole's answers are never
counted, and another pole's workshop cannot be used. A family's answers are in its
export, and their free text goes with its erasure (or the parent's)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from core.auth.models import MailMessage
from core.domain.questionnaires.models import QuestionnaireAnswer
from plugins.udaf_workshops import needs, seed
from tests.plugins.udaf_workshops.operations import (
    ATTEND,
    NEEDS_SUMMARY,
    SEND_NEEDS,
    change,
    convention,
    error,
    families,
    ok,
    payload,
    plan,
    register,
)

QUESTIONNAIRES = """{ questionnaires(first: 20) { edges { node { id key title
  subjectKinds { value label } currentVersion { number sections { items { key } } } } } } }"""
KINDS = "{ questionnaireSubjectKinds { value } }"
SEND_CORE = """mutation($q: ID!, $kind: String!, $s: ID!) {
  sendQuestionnaire(input: { questionnaireId: $q, subjectKind: $kind, subjectId: $s }) {
    link errors { code field message } } }"""
ANSWER = """mutation($token: String!, $answers: [AnswerInput!]!) {
  answerQuestionnaire(token: $token, answers: $answers) { ok errors { code field message } } }"""
RESULTS = """query($q: ID!) { questionnaireResults(questionnaireId: $q) { responses } }"""


async def _questionnaires(graphql: Any, tenant: Any) -> dict[str, dict[str, Any]]:
    found = payload(await graphql.execute(QUESTIONNAIRES, tenant=tenant), "questionnaires")
    return {e["node"]["key"]: e["node"] for e in found["edges"]}


async def _links(db: Any, address: str) -> list[str]:
    """The single-use tokens mailed to ``address``."""
    async with db.reference_session() as session:
        bodies = (
            await session.execute(select(MailMessage.body).where(MailMessage.to == address))
        ).scalars()
        return [t for body in bodies for t in re.findall(r"/q/(q_[A-Za-z0-9_-]+)", body)]


def _answers(**kw: Any) -> list[dict[str, Any]]:
    given = {
        "themes": ["school", "mdph"],
        "times": ["saturday_morning"],
        "place": "own_commune",
        "childcare": "yes",
        "usefulness": "4",
        **kw,
    }
    return [
        {"item": k, "values": v} if isinstance(v, list) else {"item": k, "value": v}
        for k, v in given.items()
    ]


def _address(tenant: Any, who: str) -> str:
    # The outbox is the platform's: one address per pole, so that a test reads its own.
    return f"{who}.{tenant.slug}@besoins.example"


async def _held_workshop(graphql: Any, tenant: Any) -> tuple[dict[str, Any], list[str]]:
    """A workshop held today: a family with an address (a couple), a family without one,
    a parent not yet known with one, and a family who did not come. Returns it and the
    registrations' ids in that order."""
    found = await convention(graphql, tenant, year=dt.date.today().year)
    workshop = await plan(
        graphql,
        tenant,
        found["id"],
        heldOn=dt.date.today().isoformat(),
        capacity=8,
        minimumParticipants=2,
    )
    listed = await families(graphql, tenant)
    ids = []
    for kw in (
        {"familyId": listed[0]["id"], "email": _address(tenant, "famille"), "seats": 2},
        {"familyId": listed[1]["id"]},
        {
            "parent": {
                "firstName": "Aurélie",
                "lastName": "C",
                "email": _address(tenant, "aurelie"),
                "consent": True,
            }
        },
        {"familyId": listed[2]["id"], "email": _address(tenant, "absente")},
    ):
        ids.append((await register(graphql, tenant, workshop["id"], **kw))["registration"]["id"])
    return workshop, ids


async def test_enabling_installs_the_questionnaire_and_a_pole_without_the_plugin_has_none(
    make_tenant, enable_plugin, graphql
):
    mine, other = await make_tenant("63"), await make_tenant("62")
    await enable_plugin(mine, "udaf_workshops")
    # Enabled again after a pause: still one questionnaire (installed idempotently).
    await enable_plugin(mine, "udaf_workshops", enabled=False)
    await enable_plugin(mine, "udaf_workshops")

    found = await _questionnaires(graphql, mine)
    assert set(found) == {"satisfaction", "structure_survey", "udaf_workshops_needs"}
    besoins = found["udaf_workshops_needs"]
    assert besoins["title"] == "Besoins des familles (ateliers parentalité)"
    assert besoins["subjectKinds"] == [
        {"value": "udaf_workshops_registration", "label": "Après un atelier parentalité (UDAF)"}
    ]
    keys = [i["key"] for s in besoins["currentVersion"]["sections"] for i in s["items"]]
    assert keys == [
        "themes",
        "times",
        "place",
        "format",
        "childcare",
        "usefulness",
        "suggestion",
    ]
    kinds = payload(await graphql.execute(KINDS, tenant=mine), "questionnaireSubjectKinds")
    assert {"value": "udaf_workshops_registration"} in kinds

    # The pole without the plugin: core's two questionnaires, no such subject kind, and
    # core's sending refuses it as unknown.
    theirs = await _questionnaires(graphql, other)
    assert set(theirs) == {"satisfaction", "structure_survey"}
    kinds = payload(await graphql.execute(KINDS, tenant=other), "questionnaireSubjectKinds")
    assert {"value": "udaf_workshops_registration"} not in kinds
    refused = await graphql.execute(
        SEND_CORE,
        {
            "q": theirs["satisfaction"]["id"],
            "kind": "udaf_workshops_registration",
            "s": "00000000-0000-7000-8000-000000000000",
        },
        tenant=other,
    )
    assert error(refused, "sendQuestionnaire") == ("VALIDATION", "subjectKind")


async def test_sent_after_a_held_workshop_to_who_came_never_twice_and_answered_once(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    workshop, (couple, no_address, newcomer, absent) = await _held_workshop(graphql, tenant)
    send = {"input": {"workshopId": workshop["id"]}}

    # Not before the workshop is held, and not before attendance is noted.
    refused = await graphql.execute(SEND_NEEDS, send, tenant=tenant)
    assert error(refused, "udafWorkshopsSendNeedsQuestionnaire") == ("CONFLICT", "input.workshopId")
    ok(await change(graphql, tenant, workshop["id"], "confirmed"), "udafWorkshopsChangeStatus")
    ok(await change(graphql, tenant, workshop["id"], "held"), "udafWorkshopsChangeStatus")
    refused = await graphql.execute(SEND_NEEDS, send, tenant=tenant)
    assert error(refused, "udafWorkshopsSendNeedsQuestionnaire") == ("CONFLICT", "input.workshopId")
    lines = [(couple, 2), (no_address, 1), (newcomer, 1), (absent, 0)]
    attendance = {
        "workshopId": workshop["id"],
        "lines": [{"registrationId": r, "present": n} for r, n in lines],
    }
    ok(
        await graphql.execute(ATTEND, {"input": attendance}, tenant=tenant),
        "udafWorkshopsRecordAttendance",
    )

    # Sent to the two who came with an address; the one without is counted and said.
    sent = ok(
        await graphql.execute(SEND_NEEDS, send, tenant=tenant),
        "udafWorkshopsSendNeedsQuestionnaire",
    )
    assert (sent["sent"], sent["alreadySent"], sent["withoutEmail"]) == (2, 0, 1)
    (token,) = await _links(maillage_db, _address(tenant, "famille"))
    assert len(await _links(maillage_db, _address(tenant, "aurelie"))) == 1
    assert await _links(maillage_db, _address(tenant, "absente")) == []
    # Sent right after the commit by the serving process, not left for a timer.
    await graphql.app.state.auth.drain()
    async with maillage_db.reference_session() as session:
        pending = await session.scalar(
            select(MailMessage.id).where(
                MailMessage.to.like(f"%.{tenant.slug}@besoins.example"),
                MailMessage.sent_at.is_(None),
            )
        )
    assert pending is None

    # A second click sends nobody twice (core refuses a duplicate sending).
    again = ok(
        await graphql.execute(SEND_NEEDS, send, tenant=tenant),
        "udafWorkshopsSendNeedsQuestionnaire",
    )
    assert (again["sent"], again["alreadySent"], again["withoutEmail"]) == (0, 2, 1)
    assert len(await _links(maillage_db, _address(tenant, "famille"))) == 1

    # The family answers through its link, without an account; checked item by item,
    # once.
    wrong = await graphql.execute(ANSWER, {"token": token, "answers": _answers(place="mars")})
    assert wrong["data"]["answerQuestionnaire"]["errors"][0]["field"] == "answers.place"
    answered = await graphql.execute(ANSWER, {"token": token, "answers": _answers()})
    assert answered["data"]["answerQuestionnaire"] == {"ok": True, "errors": []}
    twice = await graphql.execute(ANSWER, {"token": token, "answers": _answers()})
    assert twice["data"]["answerQuestionnaire"]["errors"][0]["code"] == "CONFLICT"

    # One answer: counted, but too few for shares.
    summary = payload(
        await graphql.execute(NEEDS_SUMMARY, {"year": dt.date.today().year}, tenant=tenant),
        "udafWorkshops",
    )["needsSummary"]
    assert summary["answers"] == 1 and summary["threshold"] == needs.MIN_ANSWERS
    assert summary["enough"] is False
    assert summary["themes"] == [] and summary["childcareShare"] is None
    assert summary["usefulnessMean"] is None
    assert summary["summary"] == (
        "1 réponse au questionnaire des besoins : trop peu (moins de 5) pour en tirer des parts"
    )


async def test_from_five_answers_shares_and_means_sorted_by_what_is_asked_most(
    make_tenant, enable_plugin, graphql, maillage_db
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    found = await convention(graphql, tenant, year=dt.date.today().year)
    workshop = await plan(
        graphql,
        tenant,
        found["id"],
        heldOn=dt.date.today().isoformat(),
        capacity=10,
        minimumParticipants=1,
    )
    listed = await families(graphql, tenant)
    ids = [
        (
            await register(
                graphql, tenant, workshop["id"], familyId=f["id"], email=_address(tenant, f"f{i}")
            )
        )["registration"]["id"]
        for i, f in enumerate(listed[:5])
    ]
    ok(await change(graphql, tenant, workshop["id"], "confirmed"), "udafWorkshopsChangeStatus")
    ok(await change(graphql, tenant, workshop["id"], "held"), "udafWorkshopsChangeStatus")
    attendance = {
        "workshopId": workshop["id"],
        "lines": [{"registrationId": r, "present": 1} for r in ids],
    }
    ok(
        await graphql.execute(ATTEND, {"input": attendance}, tenant=tenant),
        "udafWorkshopsRecordAttendance",
    )
    ok(
        await graphql.execute(SEND_NEEDS, {"input": {"workshopId": workshop["id"]}}, tenant=tenant),
        "udafWorkshopsSendNeedsQuestionnaire",
    )
    given = [
        _answers(themes=["school"], childcare="yes", usefulness="4"),
        _answers(themes=["school", "sleep"], childcare="no", usefulness="3"),
        _answers(themes=["sleep", "school"], childcare="no", usefulness="4"),
        _answers(themes=["mdph"], childcare="yes", usefulness="2"),
        _answers(themes=["school"], times=["weekday_evening"], childcare="no", usefulness="3"),
    ]
    for i, answers in enumerate(given):
        (token,) = await _links(maillage_db, _address(tenant, f"f{i}"))
        result = await graphql.execute(ANSWER, {"token": token, "answers": answers})
        assert result["data"]["answerQuestionnaire"]["ok"], result

    summary = payload(
        await graphql.execute(NEEDS_SUMMARY, {"year": dt.date.today().year}, tenant=tenant),
        "udafWorkshops",
    )["needsSummary"]
    assert summary["answers"] == 5 and summary["enough"] is True
    themes = [(t["value"], t["count"], t["share"]) for t in summary["themes"]]
    assert themes[:3] == [("school", 4, 80.0), ("sleep", 2, 40.0), ("mdph", 1, 20.0)]
    assert [t["count"] for t in summary["themes"][3:]] == [0] * 5
    times = [(t["value"], t["count"]) for t in summary["times"]]
    assert times == [("saturday_morning", 4), ("weekday_evening", 1), ("weekday_morning", 0)]
    assert summary["places"][0] == {
        "value": "own_commune",
        "label": "Dans ma commune ou une commune voisine",
        "count": 5,
        "share": 100.0,
    }
    assert summary["childcareShare"] == 40.0
    assert summary["usefulnessMean"] == 3.2
    assert summary["summary"] == (
        "5 réponses au questionnaire des besoins ; thèmes les plus demandés : la "
        "scolarisation à venir (4), le sommeil (2), les démarches auprès de la MDPH (1)"
    )
    # Last year's summary has none of this year's answers.
    last = payload(
        await graphql.execute(NEEDS_SUMMARY, {"year": dt.date.today().year - 1}, tenant=tenant),
        "udafWorkshops",
    )["needsSummary"]
    assert last["answers"] == 0 and last["summary"] == "aucune réponse au questionnaire des besoins"


async def test_another_poles_answers_are_never_counted_nor_its_workshop_used(
    make_tenant, enable_plugin, graphql, maillage_db
):
    mine, theirs = await make_tenant("63"), await make_tenant("63")
    for pole in (mine, theirs):
        await enable_plugin(pole, "udaf_workshops")
    # The other pole lived the demo year: eleven answers in 2025.
    async with maillage_db.session(theirs.id) as session:
        await seed.maillage_seed(theirs, session)
        await session.commit()
    query = {"year": seed.YEAR}
    found = payload(await graphql.execute(NEEDS_SUMMARY, query, tenant=theirs), "udafWorkshops")
    assert found["needsSummary"]["answers"] == 11

    summary = payload(await graphql.execute(NEEDS_SUMMARY, query, tenant=mine), "udafWorkshops")
    assert summary["needsSummary"]["answers"] == 0
    besoins = (await _questionnaires(graphql, mine))["udaf_workshops_needs"]
    results = payload(
        await graphql.execute(RESULTS, {"q": besoins["id"]}, tenant=mine), "questionnaireResults"
    )
    assert results["responses"] == 0
    # Their questionnaire's id reads nothing here.
    other = (await _questionnaires(graphql, theirs))["udaf_workshops_needs"]
    foreign = await graphql.execute(RESULTS, {"q": other["id"]}, tenant=mine)
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    # Their held workshop cannot be sent from here: NOT_FOUND, as a missing one.
    listed = payload(
        await graphql.execute(
            "query($y: Int) { udafWorkshops { workshops(year: $y) { id status { value } } } }",
            {"y": seed.YEAR},
            tenant=theirs,
        ),
        "udafWorkshops",
    )["workshops"]
    held = next(w for w in listed if w["status"]["value"] == "held")
    refused = await graphql.execute(SEND_NEEDS, {"input": {"workshopId": held["id"]}}, tenant=mine)
    assert error(refused, "udafWorkshopsSendNeedsQuestionnaire") == (
        "NOT_FOUND",
        "input.workshopId",
    )


EXPORT = "query($f: ID!) { familyDataExport(familyId: $f) { data } }"
ERASE = """mutation($f: ID!) { eraseFamilyData(input: { familyId: $f, receivedOn: "2026-11-03",
  requester: "guardian" }) { request { status counts } errors { code field message } } }"""
ERASE_PARENT = """mutation($p: ID!) { udafWorkshopsEraseParent(parentId: $p) {
  erasedRegistrations errors { code field message } } }"""
PARENTS = "{ udafWorkshops { parents { id firstName } } }"


async def test_a_familys_answers_are_in_its_export_and_their_free_text_goes_with_it(
    make_tenant, enable_plugin, graphql, maillage_db, make_actor
):
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    workshop, (couple, no_address, newcomer, absent) = await _held_workshop(graphql, tenant)
    for status in ("confirmed", "held"):
        ok(await change(graphql, tenant, workshop["id"], status), "udafWorkshopsChangeStatus")
    lines = [(couple, 2), (no_address, 1), (newcomer, 1), (absent, 0)]
    attendance = {
        "workshopId": workshop["id"],
        "lines": [{"registrationId": r, "present": n} for r, n in lines],
    }
    ok(
        await graphql.execute(ATTEND, {"input": attendance}, tenant=tenant),
        "udafWorkshopsRecordAttendance",
    )
    send = {"input": {"workshopId": workshop["id"]}}
    ok(
        await graphql.execute(SEND_NEEDS, send, tenant=tenant),
        "udafWorkshopsSendNeedsQuestionnaire",
    )
    for address, text in (
        (_address(tenant, "famille"), "(fictif) Notre fils Léo dort mal."),
        (_address(tenant, "aurelie"), "(fictif) Aurélie préfère le samedi."),
    ):
        (token,) = await _links(maillage_db, address)
        answers = _answers(suggestion=text)
        result = await graphql.execute(ANSWER, {"token": token, "answers": answers})
        assert result["data"]["answerQuestionnaire"]["ok"], result

    family = (await families(graphql, tenant))[0]
    dpo = make_actor("coordinator", grants=["gdpr.manage"])
    exported = await graphql.execute(EXPORT, {"f": family["id"]}, tenant=tenant, actor=dpo)
    sections = {s["source"]: s for s in exported["data"]["familyDataExport"]["data"]["sections"]}
    (record,) = sections["questionnaires.udaf_workshops_registration"]["records"]
    assert "(fictif) Notre fils Léo dort mal." in record["fields"].values()

    erased = await graphql.execute(ERASE, {"f": family["id"]}, tenant=tenant, actor=dpo)
    assert erased["data"]["eraseFamilyData"]["request"]["status"] == "done"
    parent = next(
        p
        for p in payload(await graphql.execute(PARENTS, tenant=tenant), "udafWorkshops")["parents"]
        if p["firstName"] == "Aurélie"
    )
    ok(
        await graphql.execute(ERASE_PARENT, {"p": parent["id"]}, tenant=tenant),
        "udafWorkshopsEraseParent",
    )
    async with maillage_db.session(tenant.id) as session:
        texts = set((await session.execute(select(QuestionnaireAnswer.text))).scalars())
    assert texts == {""}
    # The scores and choices name no one: the year's summary still counts both answers.
    summary = payload(
        await graphql.execute(NEEDS_SUMMARY, {"year": dt.date.today().year}, tenant=tenant),
        "udafWorkshops",
    )["needsSummary"]
    assert summary["answers"] == 2
