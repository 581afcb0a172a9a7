"""Reminders computed from the data: unanswered requests and idle follow-ups, per pole
and per staff member; done and snoozed occurrences; another pole's keys refused."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import event

from core.access.actions import Actor
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.families.models import Child, Family
from core.tenancy.database import Database
from core.testing.accounts import ensure_user
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

TASKS = """query($on: Date!, $mine: Boolean! = false, $snoozed: Boolean! = false) {
  tasks(on: $on, mine: $mine, includeSnoozed: $snoozed) {
    key kind { value label } dueOn overdueDays title assignee { displayName }
    requestId followUpId snoozedUntil } }"""
ON = dt.date(2026, 11, 20)


def staff_actor() -> Actor:
    return Actor(
        subject=f"test:tasks-{uuid.uuid4().hex[:8]}",
        display_name="Julien Test",
        roles=frozenset({"staff"}),
    )


async def seed(client: GraphQLClient, db: Database, pole: Any, who: Actor) -> uuid.UUID:
    await client.auth_headers(pole, who)  # the account and its membership exist
    user = await ensure_user(client.app.state.auth, who)
    async with db.session(pole.id) as session:
        family = Family(name="Famille T", search_name="famille t", commune_insee="62119")
        session.add(family)
        await session.flush()
        kids = [
            Child(
                family_id=family.id,
                first_name=name,
                birth_date=dt.date(2023, 1, 1),
                commune_insee="62119",
            )
            for name in ("Léo", "Inès")
        ]
        session.add_all(kids)
        await session.flush()
        session.add_all(
            [
                # 10 days without answer (the pole's limit is 7): due on the 17th.
                Request(
                    received_on=ON - dt.timedelta(days=10),
                    channel="phone",
                    requester_kind="family",
                    requester_name="Mme T",
                    subjects=["mdph"],
                    status="new",
                    assigned_to=user.id,
                ),
                # Answered: no reminder.
                Request(
                    received_on=ON - dt.timedelta(days=30),
                    channel="phone",
                    requester_kind="family",
                    requester_name="M. U",
                    subjects=["mdph"],
                    status="answered",
                ),
            ]
        )
        idle = FollowUp(
            child_id=kids[0].id,
            opened_on=ON - dt.timedelta(days=90),
            status="open",
            referent_user_id=user.id,
        )
        busy = FollowUp(child_id=kids[1].id, opened_on=ON - dt.timedelta(days=90), status="open")
        session.add_all([idle, busy])
        await session.flush()
        session.add_all(
            [
                Intervention(
                    follow_up_id=idle.id, kind="observation", happened_on=ON - dt.timedelta(days=75)
                ),
                Intervention(
                    follow_up_id=busy.id, kind="observation", happened_on=ON - dt.timedelta(days=5)
                ),
            ]
        )
        await session.commit()
        return idle.id


async def test_reminders_are_computed_marked_and_snoozed(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, staff_actor()
    idle_id = await seed(client, db, pole, who)
    result = await client.execute(TASKS, {"on": ON.isoformat()}, tenant=pole, actor=who)
    tasks = result["data"]["tasks"]
    assert [(t["kind"]["value"], t["dueOn"], t["overdueDays"]) for t in tasks] == [
        ("follow_up_idle", "2026-11-05", 15),
        ("request_unanswered", "2026-11-17", 3),
    ]
    assert tasks[0]["followUpId"] == str(idle_id)
    assert tasks[0]["assignee"]["displayName"] == "Julien Test"
    assert "Léo" in tasks[0]["title"]
    mine = await client.execute(TASKS, {"on": ON.isoformat(), "mine": True}, tenant=pole, actor=who)
    assert len(mine["data"]["tasks"]) == 2
    someone_else = await client.execute(
        TASKS, {"on": ON.isoformat(), "mine": True}, tenant=pole, actor=staff_actor()
    )
    assert someone_else["data"]["tasks"] == []

    snooze = """mutation($k: String!, $u: Date!) {
      snoozeTask(key: $k, until: $u) { ok errors { code field } } }"""
    past = await client.execute(
        snooze, {"k": tasks[1]["key"], "u": "2020-01-01"}, tenant=pole, actor=who
    )
    assert past["data"]["snoozeTask"]["errors"] == [{"code": "VALIDATION", "field": "until"}]
    later = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    await client.execute(snooze, {"k": tasks[1]["key"], "u": later}, tenant=pole, actor=who)
    shown = await client.execute(TASKS, {"on": ON.isoformat()}, tenant=pole, actor=who)
    assert [t["kind"]["value"] for t in shown["data"]["tasks"]] == ["follow_up_idle"]
    with_snoozed = await client.execute(
        TASKS, {"on": ON.isoformat(), "snoozed": True}, tenant=pole, actor=who
    )
    assert with_snoozed["data"]["tasks"][1]["snoozedUntil"] == later

    complete = "mutation($k: String!) { completeTask(key: $k) { ok errors { code field } } }"
    done = await client.execute(complete, {"k": tasks[0]["key"]}, tenant=pole, actor=who)
    assert done["data"]["completeTask"] == {"ok": True, "errors": []}
    again = await client.execute(complete, {"k": tasks[0]["key"]}, tenant=pole, actor=who)
    assert again["data"]["completeTask"]["errors"] == [{"code": "CONFLICT", "field": "key"}]
    assert (await client.execute(TASKS, {"on": ON.isoformat()}, tenant=pole, actor=who))["data"][
        "tasks"
    ] == []

    # A new intervention, then silence again: a new occurrence with a new due date.
    async with db.session(pole.id) as session:
        session.add(
            Intervention(
                follow_up_id=idle_id, kind="phone_guidance", happened_on=ON - dt.timedelta(days=1)
            )
        )
        await session.commit()
    later_on = (ON + dt.timedelta(days=70)).isoformat()
    back = await client.execute(TASKS, {"on": later_on}, tenant=pole, actor=who)
    idle = [t for t in back["data"]["tasks"] if t["followUpId"] == str(idle_id)]
    assert [t["dueOn"] for t in idle] == [(ON + dt.timedelta(days=59)).isoformat()]


async def test_keys_of_another_pole_and_roles_are_refused(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    who = staff_actor()
    await seed(client, db, two_poles.a, who)
    key = (await client.execute(TASKS, {"on": ON.isoformat()}, tenant=two_poles.a, actor=who))[
        "data"
    ]["tasks"][0]["key"]
    other = staff_actor()
    crossing = await client.execute(
        "mutation($k: String!) { completeTask(key: $k) { errors { code field } } }",
        {"k": key},
        tenant=two_poles.b,
        actor=other,
    )
    assert crossing["data"]["completeTask"]["errors"] == [{"code": "NOT_FOUND", "field": "key"}]
    assert (await client.execute(TASKS, {"on": ON.isoformat()}, tenant=two_poles.b, actor=other))[
        "data"
    ]["tasks"] == []
    family = Actor(subject="test:tasks-family", display_name="F", roles=frozenset({"family"}))
    refused = await client.execute(TASKS, {"on": ON.isoformat()}, tenant=two_poles.a, actor=family)
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_reception_plan_reviews_are_reminders_for_the_referent(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    """A plan written with two review dates: the first is due, for the referent of the
    child's open follow-up; done, it does not come back; a new version's dates replace
    the old ones."""
    from tests.domain.test_gdpr import a_followed_family, call

    pole = two_poles.a
    who = Actor(
        subject=f"test:tasks-{uuid.uuid4().hex[:8]}",
        display_name="Référente Test",
        roles=frozenset({"coordinator"}),
        grants=frozenset({"children.health", "families.situation"}),
    )
    ids = await a_followed_family(client, who, pole)  # its follow-up is closed
    viewer = await client.execute("{ viewer { subject } }", tenant=pole, actor=who)
    user_id = viewer["data"]["viewer"]["subject"].removeprefix("user:")
    await call(
        client,
        who,
        pole,
        """mutation($c: ID!, $u: ID!) { openFollowUp(input: { childId: $c, openedOn: "2026-11-02",
          referentUserId: $u }) { errors { code field } } }""",
        c=ids["child"],
        u=user_id,
    )
    await call(
        client,
        who,
        pole,
        """mutation($p: ID!) { writeReceptionPlan(id: $p, input: { content: {needs: "(fictif) v2",
          reviewDates: ["2026-11-15", "2027-03-01"]} }) { errors { code field } } }""",
        p=ids["plan"],
    )
    query = """query($on: Date!) { tasks(on: $on, mine: true) {
      key kind { value label } dueOn title assignee { displayName } receptionPlanId } }"""
    found = await client.execute(query, {"on": "2026-11-20"}, tenant=pole, actor=who)
    reviews = [t for t in found["data"]["tasks"] if t["kind"]["value"] == "plan_review"]
    assert len(reviews) == 1, found
    review = reviews[0]
    assert review["dueOn"] == "2026-11-15"  # v1's 2026-12-15 is gone with the new version
    assert review["kind"]["label"] == "Bilan du projet d'accueil"
    assert review["title"].startswith("Bilan du projet d'accueil de Léo (Crèche Les Lutins")
    assert review["assignee"] == {"displayName": "Référente Test"}
    assert review["receptionPlanId"]
    done = await client.execute(
        "mutation($k: String!) { completeTask(key: $k) { ok errors { code field } } }",
        {"k": review["key"]},
        tenant=pole,
        actor=who,
    )
    assert done["data"]["completeTask"] == {"ok": True, "errors": []}
    again = await client.execute(query, {"on": "2026-11-20"}, tenant=pole, actor=who)
    assert not [t for t in again["data"]["tasks"] if t["kind"]["value"] == "plan_review"]
    later = await client.execute(query, {"on": "2027-03-01"}, tenant=pole, actor=who)
    assert [t["dueOn"] for t in later["data"]["tasks"] if t["kind"]["value"] == "plan_review"] == [
        "2027-03-01"
    ]
    theirs = await client.execute(
        '{ tasks(on: "2027-12-31") { key } }', tenant=two_poles.b, actor=who
    )
    assert error_codes(theirs) == ["FORBIDDEN"] or theirs["data"]["tasks"] == []


DUE = """query($on: Date!, $kinds: [String!], $first: Int, $after: String) {
  dueTasks(on: $on, kinds: $kinds, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { key kind { value } dueOn title } } } }"""


async def more_unanswered(db: Database, pole: Any, count: int, start: int) -> None:
    """``count`` more requests without answer, received on successive days before ON."""
    async with db.session(pole.id) as session:
        session.add_all(
            Request(
                received_on=ON - dt.timedelta(days=40 + start + i),
                channel="mail",
                requester_kind="family",
                requester_name=f"Famille {start + i}",
                subjects=["mdph"],
                status="qualified",
            )
            for i in range(count)
        )
        await session.commit()


async def test_due_tasks_come_by_pages_with_their_count_in_constant_statements(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """The home page's lists: the first N of a kind and how many there are in all; the
    next page follows on; a done occurrence leaves the count; the statements of a page
    do not grow with the pole's backlog (5, then 40 reminders)."""
    pole, who = two_poles.a, staff_actor()
    await seed(client, db, pole, who)
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured, pages = [], []
    for more, start in ((4, 0), (35, 4)):
        await more_unanswered(db, pole, more, start)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            page = await client.execute(
                DUE,
                {"on": ON.isoformat(), "kinds": ["request_unanswered"], "first": 3},
                tenant=pole,
                actor=who,
            )
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        pages.append(page["data"]["dueTasks"])
    assert measured[0] == measured[1], measured
    assert [p["totalCount"] for p in pages] == [5, 40]
    first = pages[1]
    assert [e["node"]["kind"]["value"] for e in first["edges"]] == ["request_unanswered"] * 3
    # The oldest first: the last request added was received first.
    assert "Famille 38" in first["edges"][0]["node"]["title"]
    assert first["pageInfo"]["hasNextPage"] is True
    following = await client.execute(
        DUE,
        {
            "on": ON.isoformat(),
            "kinds": ["request_unanswered"],
            "first": 3,
            "after": first["pageInfo"]["endCursor"],
        },
        tenant=pole,
        actor=who,
    )
    second = following["data"]["dueTasks"]
    assert "Famille 35" in second["edges"][0]["node"]["title"]
    everything = await client.execute(
        DUE, {"on": ON.isoformat(), "first": 100}, tenant=pole, actor=who
    )
    listed = await client.execute(TASKS, {"on": ON.isoformat()}, tenant=pole, actor=who)
    assert [e["node"]["key"] for e in everything["data"]["dueTasks"]["edges"]] == [
        t["key"] for t in listed["data"]["tasks"]
    ]
    assert everything["data"]["dueTasks"]["totalCount"] == 41  # and the idle follow-up

    done = await client.execute(
        "mutation($k: String!) { completeTask(key: $k) { ok } }",
        {"k": first["edges"][0]["node"]["key"]},
        tenant=pole,
        actor=who,
    )
    assert done["data"]["completeTask"]["ok"] is True
    after_done = await client.execute(
        DUE,
        {"on": ON.isoformat(), "kinds": ["request_unanswered"], "first": 3},
        tenant=pole,
        actor=who,
    )
    assert after_done["data"]["dueTasks"]["totalCount"] == 39
    assert "Famille 37" in after_done["data"]["dueTasks"]["edges"][0]["node"]["title"]
    theirs = await client.execute(DUE, {"on": ON.isoformat()}, tenant=two_poles.b, actor=who)
    assert theirs["data"]["dueTasks"]["totalCount"] == 0


async def test_an_unknown_kind_of_reminder_is_refused_naming_it(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, staff_actor()
    await seed(client, db, pole, who)
    refused = await client.execute(
        DUE, {"on": ON.isoformat(), "kinds": ["follow_up_idle", "birthday"]}, tenant=pole, actor=who
    )
    assert error_codes(refused) == ["VALIDATION"]
    assert refused["errors"][0]["extensions"]["field"] == "kinds.1"
