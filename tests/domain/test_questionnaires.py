"""Questionnaires through the real API: a satisfaction questionnaire sent at a follow-up's
close, answered through its single-use link (GraphQL and the French HTML form), and its
rates read back; validation naming the item; links that all fail alike; versions;
isolation between poles and from the link; audited free texts; statement counts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.auth.demo import mark_demo_session
from core.auth.secrets import digest
from core.domain.questionnaires.demo import seed_questionnaires
from core.domain.questionnaires.models import (
    QuestionnaireAnswer,
    QuestionnaireItem,
    QuestionnaireLink,
    QuestionnaireResponse,
    QuestionnaireSection,
    QuestionnaireSending,
    QuestionnaireVersion,
)
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.domain.test_casework import CLOSE, OPEN, setup

QUESTIONNAIRES = """{ questionnaires { totalCount edges { node { id key title
  subjectKinds { value } currentVersion { id number status { value }
    sections { title items { key kind { value } required options { value label } } } }
  versions { number status { value } } } } } }"""
SEND = """mutation($q: ID!, $kind: String!, $subject: ID!, $on: Date) {
  sendQuestionnaire(
    input: { questionnaireId: $q, subjectKind: $kind, subjectId: $subject, sentOn: $on }
  ) {
    link sending { id status { value } subjectKind { value } versionNumber questionnaireTitle }
    errors { code field message } } }"""
BY_LINK = """query($token: String!) { questionnaireByLink(token: $token) {
  questionnaire { poleName title versionNumber
    sections { title items { key label kind { value } options { value label } } } }
  errors { code field message } } }"""
ANSWER = """mutation($token: String!, $answers: [AnswerInput!]!) {
  answerQuestionnaire(token: $token, answers: $answers) { ok errors { code field message } } }"""
RESULTS = """query($q: ID!, $start: Date, $end: Date, $kind: String) {
  questionnaireResults(questionnaireId: $q, start: $start, end: $end, subjectKind: $kind) {
    responses scaleAnswers satisfactionRate mean
    sections { title scaleAnswers satisfactionRate mean
      items { key answers satisfactionRate mean counts { value label count } } } } }"""
FREE_TEXTS = """query($q: ID!) { questionnaireFreeTexts(questionnaireId: $q) {
  totalCount edges { node { question text answeredOn subjectKind { value } } } } }"""


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:q-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset(roles),
    )


def answers(**values: Any) -> list[dict[str, Any]]:
    """The satisfaction questionnaire fully answered, with ``values`` changed (None:
    left out)."""
    base: dict[str, Any] = {
        "respondent": "parent",
        "request_form": "4",
        "delay": "2",
        "expectations": "3",
        "arrangements": "4",
        "feasible": "1",
        "staff": "4",
        "comments": "(fictif) Merci à Mme Exemple pour son écoute.",
    }
    base.update(values)
    return [{"item": k, "value": v} for k, v in base.items() if v is not None]


async def questionnaire_ids(client: GraphQLClient, pole: Any, who: Actor) -> dict[str, Any]:
    result = await client.execute(QUESTIONNAIRES, tenant=pole, actor=who)
    return {e["node"]["key"]: e["node"] for e in result["data"]["questionnaires"]["edges"]}


async def closed_follow_up(client: GraphQLClient, db: Database, pole: Any, who: Actor) -> str:
    structure, child = await setup(db, pole)
    opened = await client.execute(
        OPEN,
        {"child": child, "on": "2026-09-01", "structures": [structure]},
        tenant=pole,
        actor=who,
    )
    follow_up = opened["data"]["openFollowUp"]["followUp"]["id"]
    closed = await client.execute(
        CLOSE,
        {"id": follow_up, "on": "2026-10-30", "outcome": "reception_adapted"},
        tenant=pole,
        actor=who,
    )
    assert closed["data"]["closeFollowUp"]["errors"] == []
    return follow_up


async def send_satisfaction(
    client: GraphQLClient, db: Database, pole: Any, who: Actor
) -> tuple[str, str]:
    """(questionnaire id, link token) for a satisfaction questionnaire sent at a close."""
    follow_up = await closed_follow_up(client, db, pole, who)
    satisfaction = (await questionnaire_ids(client, pole, who))["satisfaction"]
    sent = await client.execute(
        SEND,
        {"q": satisfaction["id"], "kind": "follow_up", "subject": follow_up},
        tenant=pole,
        actor=who,
    )
    payload = sent["data"]["sendQuestionnaire"]
    assert payload["errors"] == []
    return satisfaction["id"], payload["link"].rsplit("/q/", 1)[1]


async def test_send_at_close_answer_by_link_and_read_the_rates_through_graphql_alone(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    follow_up = await closed_follow_up(client, db, pole, coordinator)

    found = await questionnaire_ids(client, pole, coordinator)
    assert set(found) == {"satisfaction", "structure_survey"}
    satisfaction = found["satisfaction"]
    assert satisfaction["title"] == "Questionnaire de satisfaction"
    version = satisfaction["currentVersion"]
    assert version["number"] == 1 and version["status"]["value"] == "published"
    delay = next(i for s in version["sections"] for i in s["items"] if i["key"] == "delay")
    assert [o["label"] for o in delay["options"]] == [
        "Pas du tout satisfait",
        "Peu satisfait",
        "Satisfait",
        "Très satisfait",
    ]
    kinds = {i["kind"]["value"] for s in version["sections"] for i in s["items"]}
    assert kinds == {"single_choice", "scale", "text"}
    survey_kinds = {
        i["kind"]["value"]
        for s in found["structure_survey"]["currentVersion"]["sections"]
        for i in s["items"]
    }
    assert survey_kinds == {"yes_no", "multiple_choice", "text"}

    sent = await client.execute(
        SEND,
        {"q": satisfaction["id"], "kind": "follow_up", "subject": follow_up},
        tenant=pole,
        actor=coordinator,
    )
    payload = sent["data"]["sendQuestionnaire"]
    assert payload["errors"] == []
    assert payload["sending"]["status"]["value"] == "waiting"
    assert payload["link"].startswith("https://") or payload["link"].startswith("http://")
    token = payload["link"].rsplit("/q/", 1)[1]
    async with db.session(pole.id) as session:
        stored = (await session.execute(select(QuestionnaireSending))).scalar_one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # digest only

    shown = await client.execute(BY_LINK, {"token": token})  # no account, no pole
    form = shown["data"]["questionnaireByLink"]
    assert form["errors"] == []
    assert form["questionnaire"]["title"] == "Questionnaire de satisfaction"
    assert form["questionnaire"]["poleName"] == pole.name
    assert form["questionnaire"]["sections"][0]["title"] == "Votre demande"

    answered = await client.execute(ANSWER, {"token": token, "answers": answers()})
    assert answered["data"]["answerQuestionnaire"] == {"ok": True, "errors": []}
    again = await client.execute(ANSWER, {"token": token, "answers": answers()})
    assert again["data"]["answerQuestionnaire"]["errors"][0]["code"] == "CONFLICT"
    assert again["data"]["answerQuestionnaire"]["errors"][0]["field"] == "token"

    results = await client.execute(
        RESULTS, {"q": satisfaction["id"]}, tenant=pole, actor=coordinator
    )
    r = results["data"]["questionnaireResults"]
    # Scale answers 4, 2, 3, 4, 1, 4: four of six are 3–4; mean 18 / 6.
    assert r["responses"] == 1 and r["scaleAnswers"] == 6
    assert r["satisfactionRate"] == 66.7 and r["mean"] == 3.0
    sections = {s["title"]: s for s in r["sections"]}
    assert sections["Votre demande"]["satisfactionRate"] == 50.0  # 4 and 2
    assert sections["Votre demande"]["mean"] == 3.0
    assert sections["L'intervention"]["satisfactionRate"] == 66.7  # 3, 4, 1
    items = {i["key"]: i for s in r["sections"] for i in s["items"]}
    assert items["delay"]["satisfactionRate"] == 0.0 and items["delay"]["mean"] == 2.0
    assert {c["value"]: c["count"] for c in items["delay"]["counts"]} == {
        "1": 0,
        "2": 1,
        "3": 0,
        "4": 0,
    }
    assert items["materials"]["answers"] == 0 and items["materials"]["satisfactionRate"] is None
    assert {c["value"]: c["count"] for c in items["respondent"]["counts"]}["parent"] == 1

    sendings = await client.execute(
        "{ questionnaireSendings { totalCount edges { node { status { label } answeredAt } } } }",
        tenant=pole,
        actor=coordinator,
    )
    node = sendings["data"]["questionnaireSendings"]["edges"][0]["node"]
    assert node["status"]["label"] == "Répondu" and node["answeredAt"]


async def test_answers_are_checked_item_by_item_and_a_refused_answer_writes_nothing(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    _, token = await send_satisfaction(client, db, pole, staff)

    async def error(given: list[dict[str, Any]]) -> dict[str, Any]:
        result = await client.execute(ANSWER, {"token": token, "answers": given})
        payload = result["data"]["answerQuestionnaire"]
        assert payload["ok"] is False
        (found,) = payload["errors"]
        return found

    missing = await error(answers(delay=None))
    assert (missing["code"], missing["field"]) == ("VALIDATION", "answers.delay")
    out_of_scale = await error(answers(delay="5"))
    assert (out_of_scale["code"], out_of_scale["field"]) == ("VALIDATION", "answers.delay")
    assert "échelle" in out_of_scale["message"]
    not_a_choice = await error(answers(respondent="voisin"))
    assert (not_a_choice["code"], not_a_choice["field"]) == ("VALIDATION", "answers.respondent")
    two_for_one = await error(
        [a for a in answers() if a["item"] != "respondent"]
        + [{"item": "respondent", "values": ["parent", "other"]}]
    )
    assert two_for_one["field"] == "answers.respondent"
    unknown = await error(answers(favourite_colour="bleu"))
    assert unknown["field"] == "answers.favourite_colour"

    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 0
        assert await session.scalar(select(func.count()).select_from(QuestionnaireAnswer)) == 0
    # The link still works once the answers are right.
    ok = await client.execute(ANSWER, {"token": token, "answers": answers(materials="3")})
    assert ok["data"]["answerQuestionnaire"]["ok"] is True


async def test_sending_rules_name_the_field(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    structure, child = await setup(db, pole)
    opened = await client.execute(
        OPEN, {"child": child, "on": "2026-09-01"}, tenant=pole, actor=coordinator
    )
    follow_up = opened["data"]["openFollowUp"]["followUp"]["id"]
    found = await questionnaire_ids(client, pole, coordinator)
    satisfaction, survey = found["satisfaction"]["id"], found["structure_survey"]["id"]

    async def sent(q: str, kind: str, subject: str) -> list[dict[str, Any]]:
        result = await client.execute(
            SEND, {"q": q, "kind": kind, "subject": subject}, tenant=pole, actor=coordinator
        )
        return [(e["code"], e["field"]) for e in result["data"]["sendQuestionnaire"]["errors"]]

    assert await sent(satisfaction, "follow_up", follow_up) == [("CONFLICT", "subjectId")]
    assert await sent(satisfaction, "structure", structure) == [("VALIDATION", "subjectKind")]
    assert await sent(survey, "kit", structure) == [("VALIDATION", "subjectKind")]
    assert await sent(survey, "structure", str(uuid.uuid4())) == [("NOT_FOUND", "subjectId")]
    assert await sent(survey, "structure", structure) == []
    assert await sent(survey, "structure", structure) == [("CONFLICT", "subjectId")]
    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(QuestionnaireSending)) == 1
    refused = await client.execute(
        SEND,
        {"q": survey, "kind": "structure", "subject": structure},
        tenant=pole,
        actor=actor("psychologist"),
    )
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_unknown_expired_used_and_tampered_links_answer_alike(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    _, used = await send_satisfaction(client, db, pole, staff)
    assert (await client.execute(ANSWER, {"token": used, "answers": answers()}))["data"][
        "answerQuestionnaire"
    ]["ok"]
    survey = (await questionnaire_ids(client, pole, staff))["structure_survey"]["id"]
    structure, _ = await setup(db, pole)
    sent = await client.execute(
        SEND, {"q": survey, "kind": "structure", "subject": structure}, tenant=pole, actor=staff
    )
    expired = sent["data"]["sendQuestionnaire"]["link"].rsplit("/q/", 1)[1]
    async with db.session(pole.id) as session:
        await session.execute(
            update(QuestionnaireSending)
            .where(QuestionnaireSending.answered_at.is_(None))
            .values(expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        )
        await session.commit()
    async with db.unscoped(reason="test: expire the link", actor="tests") as session:
        await session.execute(
            update(QuestionnaireLink).values(expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        )
        await session.commit()
    tampered = expired[:-2] + ("AA" if not expired.endswith("AA") else "BB")
    unknown = "q_" + "x" * 43
    bodies, pages = [], []
    for token in (used, expired, tampered, unknown, "<script>", ""):
        shown = await client.execute(BY_LINK, {"token": token})
        bodies.append(shown["data"]["questionnaireByLink"])
        answered = await client.execute(ANSWER, {"token": token, "answers": answers()})
        bodies.append(answered["data"]["answerQuestionnaire"])
        if token:
            page = await client.http.get(f"/q/{token}")
            pages.append((page.status_code, page.text))
    errors = [b["errors"] for b in bodies]
    assert all(e == errors[0] for e in errors), errors
    assert errors[0][0]["code"] == "CONFLICT" and errors[0][0]["field"] == "token"
    assert len(set(pages)) == 1 and pages[0][0] == 409


async def test_the_french_form_page_answers_once(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    _, token = await send_satisfaction(client, db, pole, staff)
    shown = await client.http.get(f"/q/{token}")
    assert shown.status_code == 200
    assert "Questionnaire de satisfaction" in shown.text
    assert "Très satisfait" in shown.text and 'lang="fr"' in shown.text
    assert shown.headers["referrer-policy"] == "same-origin"
    assert shown.headers["cache-control"] == "no-store"

    form = {a["item"]: a["value"] for a in answers()}
    other_site = await client.http.post(
        f"/q/{token}", data=form, headers={"origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    assert "autre site" in other_site.text and 'value="parent" checked' in other_site.text
    incomplete = await client.http.post(f"/q/{token}", data={**form, "delay": "9"})
    assert incomplete.status_code == 400
    assert "valeur hors de l&#x27;échelle" in incomplete.text
    assert 'value="parent" checked' in incomplete.text  # what was given stays
    done = await client.http.post(f"/q/{token}", data=form)
    assert done.status_code == 200 and "Merci" in done.text
    assert (await client.http.get(f"/q/{token}")).status_code == 409
    assert (await client.http.post(f"/q/{token}", data=form)).status_code == 409
    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 1
        audit = (
            await session.execute(
                select(AuditEvent).where(AuditEvent.action == "questionnaires.answer")
            )
        ).scalar_one()
    assert audit.actor == "questionnaire-link" and audit.fields == ["answers"]
    async with db.reference_session() as session:
        # The spent link no longer maps to the pole.
        left = select(QuestionnaireLink).where(QuestionnaireLink.token_hash == digest(token))
        assert (await session.execute(left)).first() is None


async def test_an_error_of_ours_gives_the_family_its_answers_back(
    client: GraphQLClient, db: Database, two_poles: TwoPoles, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = await send_satisfaction(client, db, two_poles.a, actor("staff"))

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("core.domain.questionnaires.links.answer_link", broken)
    form = {a["item"]: a["value"] for a in answers()}
    failed = await client.http.post(f"/q/{token}", data=form)
    assert failed.status_code == 500
    assert "de notre côté" in failed.text and "disk full" not in failed.text
    assert "Merci à Mme Exemple pour son écoute." in failed.text
    assert 'value="parent" checked' in failed.text


async def test_a_published_version_never_changes_and_answers_keep_their_version(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    q, old_token = await send_satisfaction(client, db, pole, coordinator)
    draft = """mutation($q: ID!, $sections: [QuestionnaireSectionInput!]!) {
      draftQuestionnaireVersion(input: { questionnaireId: $q, sections: $sections, intro: "v2" }) {
        questionnaire { currentVersion { number } versions { id number status { value } } }
        errors { code field } } }"""
    sections = [
        {
            "title": "L'essentiel",
            "items": [
                {"key": "staff", "kind": "scale", "label": "L'équipe était à l'écoute"},
                {"key": "recommend", "kind": "yes_no", "label": "Recommanderiez-vous le pôle ?"},
            ],
        }
    ]
    bad = [
        {
            "title": "x",
            "items": [
                {
                    "key": "c",
                    "kind": "single_choice",
                    "label": "?",
                    "choices": [{"value": "a", "label": "A"}],
                }
            ],
        }
    ]
    refused = await client.execute(draft, {"q": q, "sections": bad}, tenant=pole, actor=coordinator)
    assert refused["data"]["draftQuestionnaireVersion"]["errors"] == [
        {"code": "VALIDATION", "field": "sections.0.items.0.choices"}
    ]
    made = await client.execute(
        draft, {"q": q, "sections": sections}, tenant=pole, actor=coordinator
    )
    questionnaire = made["data"]["draftQuestionnaireVersion"]["questionnaire"]
    assert questionnaire["currentVersion"]["number"] == 1  # a draft is not sent yet
    v2 = questionnaire["versions"][0]
    assert (v2["number"], v2["status"]["value"]) == (2, "draft")
    publish = """mutation($v: ID!) { publishQuestionnaireVersion(versionId: $v) {
      questionnaire { currentVersion { number } } errors { code field } } }"""
    published = await client.execute(publish, {"v": v2["id"]}, tenant=pole, actor=coordinator)
    assert published["data"]["publishQuestionnaireVersion"]["questionnaire"]["currentVersion"] == {
        "number": 2
    }
    again = await client.execute(publish, {"v": v2["id"]}, tenant=pole, actor=coordinator)
    assert again["data"]["publishQuestionnaireVersion"]["errors"] == [
        {"code": "CONFLICT", "field": "versionId"}
    ]
    # A new draft is version 3: version 2 stays as published.
    await client.execute(draft, {"q": q, "sections": sections[:1]}, tenant=pole, actor=coordinator)
    listed = await questionnaire_ids(client, pole, coordinator)
    assert [(v["number"], v["status"]["value"]) for v in listed["satisfaction"]["versions"]] == [
        (3, "draft"),
        (2, "published"),
        (1, "published"),
    ]

    # The link sent before still shows and takes version 1.
    shown = await client.execute(BY_LINK, {"token": old_token})
    assert shown["data"]["questionnaireByLink"]["questionnaire"]["versionNumber"] == 1
    ok = await client.execute(ANSWER, {"token": old_token, "answers": answers(staff="3")})
    assert ok["data"]["answerQuestionnaire"]["ok"] is True
    # A new one about another follow-up takes version 2; results pool "staff" by key.
    follow_up = await closed_follow_up(client, db, pole, coordinator)
    sent = await client.execute(
        SEND, {"q": q, "kind": "follow_up", "subject": follow_up}, tenant=pole, actor=coordinator
    )
    assert sent["data"]["sendQuestionnaire"]["sending"]["versionNumber"] == 2
    token = sent["data"]["sendQuestionnaire"]["link"].rsplit("/q/", 1)[1]
    missing = await client.execute(
        ANSWER, {"token": token, "answers": [{"item": "staff", "value": "4"}]}
    )
    assert missing["data"]["answerQuestionnaire"]["errors"][0]["field"] == "answers.recommend"
    ok = await client.execute(
        ANSWER,
        {
            "token": token,
            "answers": [{"item": "staff", "value": "1"}, {"item": "recommend", "value": "yes"}],
        },
    )
    assert ok["data"]["answerQuestionnaire"]["ok"] is True
    results = await client.execute(RESULTS, {"q": q}, tenant=pole, actor=coordinator)
    r = results["data"]["questionnaireResults"]
    items = {i["key"]: i for s in r["sections"] for i in s["items"]}
    assert r["responses"] == 2
    assert items["staff"]["answers"] == 2 and items["staff"]["mean"] == 2.0
    assert items["staff"]["satisfactionRate"] == 50.0
    assert {c["value"]: c["count"] for c in items["recommend"]["counts"]} == {"yes": 1, "no": 0}
    assert r["sections"][0]["title"] == "L'essentiel"  # the latest published wording


async def test_filters_isolation_and_the_link_reveals_nothing_else(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    coordinator, other = actor("coordinator"), actor("coordinator")
    q, token = await send_satisfaction(client, db, a, coordinator)
    await client.execute(ANSWER, {"token": token, "answers": answers()})
    filtered = await client.execute(
        RESULTS, {"q": q, "start": "2020-01-01", "end": "2021-01-01"}, tenant=a, actor=coordinator
    )
    assert filtered["data"]["questionnaireResults"]["responses"] == 0
    assert filtered["data"]["questionnaireResults"]["satisfactionRate"] is None
    by_kind = await client.execute(
        RESULTS, {"q": q, "kind": "structure"}, tenant=a, actor=coordinator
    )
    assert by_kind["data"]["questionnaireResults"]["responses"] == 0
    assert (
        await client.execute(RESULTS, {"q": q, "kind": "follow_up"}, tenant=a, actor=coordinator)
    )["data"]["questionnaireResults"]["responses"] == 1
    backwards = await client.execute(
        RESULTS, {"q": q, "start": "2026-02-01", "end": "2026-01-01"}, tenant=a, actor=coordinator
    )
    assert error_codes(backwards) == ["VALIDATION"]

    # Pole B: its own defaults, never A's results, sendings or texts.
    mine = await questionnaire_ids(client, b, other)
    assert mine["satisfaction"]["id"] != q
    assert error_codes(await client.execute(RESULTS, {"q": q}, tenant=b, actor=other)) == [
        "NOT_FOUND"
    ]
    assert (await client.execute(FREE_TEXTS, {"q": q}, tenant=b, actor=other))["data"][
        "questionnaireFreeTexts"
    ]["totalCount"] == 0
    b_results = await client.execute(
        RESULTS, {"q": mine["satisfaction"]["id"]}, tenant=b, actor=other
    )
    assert b_results["data"]["questionnaireResults"]["responses"] == 0
    assert (
        await client.execute("{ questionnaireSendings { totalCount } }", tenant=b, actor=other)
    )["data"]["questionnaireSendings"]["totalCount"] == 0
    assert (await client.execute(f'{{ node(id: "{q}") {{ id }} }}', tenant=b, actor=other))["data"][
        "node"
    ] is None

    # The link holder, without an account, reaches nothing of A beyond the link.
    _, fresh = await send_satisfaction(client, db, a, coordinator)
    for query in (
        "{ questionnaireSendings { totalCount } }",
        f'{{ questionnaireResults(questionnaireId: "{q}") {{ responses }} }}',
        "{ questionnaires { totalCount } }",
        "{ followUps { totalCount } }",
    ):
        refused = await client.execute(query)
        assert error_codes(refused) == ["UNAUTHENTICATED"], query
    assert (await client.execute(f'{{ node(id: "{q}") {{ id }} }}'))["data"]["node"] is None
    shown = await client.execute(BY_LINK, {"token": fresh})
    assert set(shown["data"]["questionnaireByLink"]["questionnaire"]) == {
        "poleName",
        "title",
        "versionNumber",
        "sections",
    }
    # A member of pole B holding A's link sees A's questionnaire only through the link.
    held = await client.execute(BY_LINK, {"token": fresh}, tenant=b, actor=other)
    assert held["data"]["questionnaireByLink"]["questionnaire"]["poleName"] == a.name
    assert (
        await client.execute("{ questionnaireSendings { totalCount } }", tenant=b, actor=other)
    )["data"]["questionnaireSendings"]["totalCount"] == 0

    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        refused = await client.execute(RESULTS, {"q": q}, tenant=a, actor=actor(role))
        assert error_codes(refused) == ["FORBIDDEN"], role


async def test_free_texts_are_listed_and_their_reading_is_audited(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    q, token = await send_satisfaction(client, db, pole, coordinator)
    await client.execute(ANSWER, {"token": token, "answers": answers()})
    listed = await client.execute(FREE_TEXTS, {"q": q}, tenant=pole, actor=coordinator)
    connection = listed["data"]["questionnaireFreeTexts"]
    assert connection["totalCount"] == 1
    node = connection["edges"][0]["node"]
    assert node["question"] == "Vos remarques et suggestions"
    assert node["text"].startswith("(fictif) Merci")
    assert node["subjectKind"]["value"] == "follow_up"
    async with db.session(pole.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.action == "read", AuditEvent.object_type == "FreeTextAnswer"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [r.fields for r in reads] == [["text"]]
    assert reads[0].actor.startswith("user:")  # the signed-in person, not the link


async def test_a_page_of_sendings_costs_the_same_for_5_and_25(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    survey = (await questionnaire_ids(client, pole, staff))["structure_survey"]["id"]
    query = """{ questionnaireSendings(first: 100) { totalCount edges { node {
      questionnaireTitle versionNumber subjectKind { label } status { label } sentOn } } } }"""
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    made = 0
    for size in (5, 25):
        while made < size:
            structure, _ = await setup(db, pole)
            sent = await client.execute(
                SEND,
                {"q": survey, "kind": "structure", "subject": structure},
                tenant=pole,
                actor=staff,
            )
            assert sent["data"]["sendQuestionnaire"]["errors"] == []
            made += 1
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            result = await client.execute(query, tenant=pole, actor=staff)
            assert len(result["data"]["questionnaireSendings"]["edges"]) == size
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured


async def test_demo_answers_for_past_follow_ups_and_structures_in_both_poles(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    for pole in (two_poles.a, two_poles.b):
        for _ in range(2):  # a second run adds nothing
            async with db.session(pole.id) as session:
                # What seed_demo does once it has checked the mode: demo accounts allowed.
                mark_demo_session(session)
                await seed_questionnaires(pole, session)
                await session.commit()
        async with db.session(pole.id) as session:
            sendings = list((await session.execute(select(QuestionnaireSending))).scalars())
        kinds = {s.subject_kind for s in sendings}
        assert kinds == {"follow_up", "structure"}, pole.slug
        who = actor("coordinator")
        found = await questionnaire_ids(client, pole, who)
        for key in ("satisfaction", "structure_survey"):
            results = await client.execute(RESULTS, {"q": found[key]["id"]}, tenant=pole, actor=who)
            r = results["data"]["questionnaireResults"]
            answered = [s for s in sendings if s.answered_at is not None]
            assert 0 < r["responses"] <= len(answered)
            if key == "satisfaction":
                assert 0 < r["satisfactionRate"] <= 100 and 1 <= r["mean"] <= 4


async def test_the_database_refuses_to_change_a_published_version(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    await questionnaire_ids(client, pole, coordinator)  # installs the defaults

    async def refused(change: Any) -> None:
        async with db.session(pole.id) as session:
            await change(session)
            with pytest.raises(IntegrityError):
                await session.flush()
            await session.rollback()

    async def relabel(session: Any) -> None:
        item = (
            await session.execute(select(QuestionnaireItem).where(QuestionnaireItem.key == "delay"))
        ).scalar_one()
        item.label = "Autre chose"

    async def drop_section(session: Any) -> None:
        section = (await session.execute(select(QuestionnaireSection).limit(1))).scalar_one()
        await session.delete(section)

    async def add_item(session: Any) -> None:
        section = (await session.execute(select(QuestionnaireSection).limit(1))).scalar_one()
        session.add(
            QuestionnaireItem(
                version_id=section.version_id,
                section_id=section.id,
                position=99,
                key="added",
                kind="text",
                label="Ajoutée après publication",
            )
        )

    async def unpublish(session: Any) -> None:
        version = (await session.execute(select(QuestionnaireVersion).limit(1))).scalar_one()
        version.status = "draft"

    for change in (relabel, drop_section, add_item, unpublish):
        await refused(change)
    async with db.session(pole.id) as session:
        labels = set((await session.execute(select(QuestionnaireItem.label))).scalars())
    assert "Autre chose" not in labels and "Ajoutée après publication" not in labels
