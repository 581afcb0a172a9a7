"""The action plan and its yearly evaluation through the real API: the coordinator writes
a 2025–2027 plan with the pole's own numbering, marks this year's statuses and indicator
values (gaps with their reason), continues it into the next period with history kept;
validation names the field and writes nothing; the database holds the shape on its own;
isolation, permissions, statement counts, the demo plan."""

from __future__ import annotations

import datetime as dt
import uuid
from html import unescape
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from core.access.actions import Actor
from core.api.ids import try_uuid
from core.domain.actionplan.demo import seed_action_plan
from core.domain.actionplan.models import (
    IndicatorValue,
    PlanIndicator,
    PlanItem,
    PlanItemStatus,
    PlanPeriod,
)
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.conftest import make_tenant

CREATE = """mutation($input: ActionPlanPeriodInput!) { createActionPlanPeriod(input: $input) {
  period { id title years } errors { code field } } }"""
CONTINUE = """mutation($previous: ID!, $input: ActionPlanPeriodInput!) {
  startActionPlanPeriodFrom(previousId: $previous, input: $input) {
    period { id previousPeriod { title } orientations { id label predecessorId statuses { year }
      children { label children { id label title predecessorId } } }
      indicators { id name baseline baselineYear target predecessorId values { year } } }
    errors { code field } } }"""
UPDATE_PERIOD = """mutation($id: ID!, $input: ActionPlanPeriodInput!) {
  updateActionPlanPeriod(id: $id, input: $input) { period { firstYear lastYear }
    errors { code field } } }"""
ADD = """mutation($period: ID, $parent: ID, $input: ActionPlanItemInput!) {
  addActionPlanItem(periodId: $period, parentId: $parent, input: $input) {
    item { id label level { value label } position } errors { code field } } }"""
UPDATE_ITEM = """mutation($id: ID!, $input: ActionPlanItemInput!) {
  updateActionPlanItem(id: $id, input: $input) { item { label title position }
    errors { code field } } }"""
DELETE_ITEM = """mutation($id: ID!) { deleteActionPlanItem(id: $id) {
  period { orientations { label } } errors { code field } } }"""
INDICATOR = """mutation($period: ID!, $input: ActionPlanIndicatorInput!) {
  addActionPlanIndicator(periodId: $period, input: $input) {
    indicator { id name unit itemId } errors { code field } } }"""
RECORD = """mutation($period: ID!, $year: Int!, $statuses: [ActionPlanStatusInput!],
  $values: [ActionPlanValueInput!]) {
  recordActionPlanYear(
    periodId: $period, input: { year: $year, statuses: $statuses, values: $values }
  ) {
    period { summary(year: $year) { status { value } count }
      indicators { name value(year: $year) { state { value label } value reason } } }
    errors { code field } } }"""
CLEAR = """mutation($period: ID!, $year: Int!, $statuses: [ActionPlanStatusInput!],
  $items: [ID!], $indicators: [ID!]) {
  recordActionPlanYear(periodId: $period, input: { year: $year, statuses: $statuses,
    clearItemIds: $items, clearIndicatorIds: $indicators }) {
    period { summary(year: $year) { status { value } count }
      indicators { value(year: $year) { value } } }
    errors { code field } } }"""
TREE = """query($year: Int!) { actionPlanForYear(year: $year) { title firstYear lastYear
  orientations { label title level { label } status(year: $year) { status { label } comment }
    children { label children { label title status(year: $year) { status { value label } }
      indicators { name } } } }
  indicators { name itemId baseline target values { year state { value } value reason } } } }"""


def raw(global_id: str) -> str:
    """The UUID inside a Relay id (references such as itemId are raw UUIDs)."""
    return str(try_uuid(global_id))


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:plan-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset(roles),
    )


async def ok(client: GraphQLClient, query: str, variables: dict[str, Any], **kw: Any) -> Any:
    result = await client.execute(query, variables, **kw)
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    assert payload["errors"] == [], payload
    return payload


async def write_plan(client: GraphQLClient, pole: Any, who: Actor) -> dict[str, str]:
    """A 2025–2027 plan: two orientations, objectives, actions, indicators; the ids by label."""
    ids: dict[str, str] = {}
    period = await ok(
        client,
        CREATE,
        {"input": {"title": "Plan d'action 2025–2027", "firstYear": 2025, "lastYear": 2027}},
        tenant=pole,
        actor=who,
    )
    ids["period"] = period["period"]["id"]
    assert period["period"]["years"] == [2025, 2026, 2027]
    for parent, label, title in [
        (None, "A", "Favoriser l'inclusion dans les structures de droit commun"),
        (None, "B", "Soutenir les professionnels"),
        ("A", "A.1", "Accompagner les structures"),
        ("A.1", "A-1", "Observer sur site dans le mois"),
        ("A.1", "A-2", "Écrire les projets d'accueil"),
        ("B", "B.1", "Enrichir les malles"),
        ("B.1", "9", "Créer la malle émotions"),
        ("B.1", "10", "Créer la malle sommeil"),
    ]:
        added = await ok(
            client,
            ADD,
            {
                "period": ids["period"] if parent is None else None,
                "parent": ids.get(parent) if parent else None,
                "input": {"label": label, "title": title},
            },
            tenant=pole,
            actor=who,
        )
        ids[label] = added["item"]["id"]
    for key, item, name, unit in [
        ("children", None, "Enfants accompagnés dans l'année", "enfants"),
        ("observed", "A-1", "Demandes observées dans le mois", "%"),
        ("kits", "B.1", "Prêts de malles", "prêts"),
    ]:
        added = await ok(
            client,
            INDICATOR,
            {
                "period": ids["period"],
                "input": {
                    "name": name,
                    "unit": unit,
                    "baseline": 60.0,
                    "baselineYear": 2024,
                    "target": 80.0,
                    "itemId": ids[item] if item else None,
                },
            },
            tenant=pole,
            actor=who,
        )
        ids[key] = added["indicator"]["id"]
    return ids


async def test_this_years_evaluation_through_graphql_alone(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    ids = await write_plan(client, pole, coordinator)

    # The pole's order is kept ("10" after "9"), and a new item can go anywhere.
    inserted = await ok(
        client,
        ADD,
        {"parent": ids["B.1"], "input": {"label": "8", "title": "Trier", "position": 0}},
        tenant=pole,
        actor=coordinator,
    )
    assert inserted["item"]["level"] == {"value": "action", "label": "Action"}
    moved = await ok(
        client,
        UPDATE_ITEM,
        {"id": inserted["item"]["id"], "input": {"label": "11", "title": "Trier", "position": 5}},
        tenant=pole,
        actor=coordinator,
    )
    assert moved["item"] == {"label": "11", "title": "Trier", "position": 2}

    recorded = await ok(
        client,
        RECORD,
        {
            "period": ids["period"],
            "year": 2026,
            "statuses": [
                {"itemId": ids["A"], "status": "in_progress"},
                {"itemId": ids["A-1"], "status": "done", "comment": "Dans les délais."},
                {"itemId": ids["A-2"], "status": "in_progress"},
                {"itemId": ids["9"], "status": "not_done", "comment": "Reporté à 2027."},
            ],
            "values": [
                {"indicatorId": ids["children"], "value": 212},
                {
                    "indicatorId": ids["observed"],
                    "state": "not_available",
                    "reason": "Délai non saisi avant mars.",
                },
                {"indicatorId": ids["kits"], "state": "pending", "reason": "Bilan en décembre."},
            ],
        },
        tenant=pole,
        actor=coordinator,
    )
    summary = {(s["status"] or {}).get("value"): s["count"] for s in recorded["period"]["summary"]}
    assert summary == {"done": 1, "in_progress": 1, "not_done": 1, "planned": 0, None: 2}
    assert [i["value"] for i in recorded["period"]["indicators"]] == [
        {"state": {"value": "available", "label": "Disponible"}, "value": 212.0, "reason": ""},
        {
            "state": {"value": "not_available", "label": "Non disponible"},
            "value": None,
            "reason": "Délai non saisi avant mars.",
        },
        {
            "state": {"value": "pending", "label": "En attente"},
            "value": None,
            "reason": "Bilan en décembre.",
        },
    ]
    # Recording again replaces that year's entry (a correction), nothing else.
    await ok(
        client,
        RECORD,
        {
            "period": ids["period"],
            "year": 2026,
            "statuses": [{"itemId": ids["A-2"], "status": "done"}],
            "values": [{"indicatorId": ids["kits"], "value": 118}],
        },
        tenant=pole,
        actor=coordinator,
    )

    tree = (await client.execute(TREE, {"year": 2026}, tenant=pole, actor=coordinator))["data"][
        "actionPlanForYear"
    ]
    assert [o["label"] for o in tree["orientations"]] == ["A", "B"]
    assert tree["orientations"][0]["level"] == {"label": "Orientation"}
    assert tree["orientations"][0]["status"] == {"status": {"label": "En cours"}, "comment": ""}
    actions_a = tree["orientations"][0]["children"][0]["children"]
    assert [(a["label"], a["status"]["status"]["label"]) for a in actions_a] == [
        ("A-1", "Réalisé"),
        ("A-2", "Réalisé"),
    ]
    assert actions_a[0]["indicators"] == [{"name": "Demandes observées dans le mois"}]
    assert [a["label"] for a in tree["orientations"][1]["children"][0]["children"]] == [
        "9",
        "10",
        "11",
    ]
    kits = tree["indicators"][2]
    assert kits["itemId"] == raw(ids["B.1"]) and kits["values"] == [
        {"year": 2026, "state": {"value": "available"}, "value": 118.0, "reason": ""}
    ]

    # An entry noted by mistake is taken back (« pas encore noté »), the rest stays.
    taken_back = await ok(
        client,
        CLEAR,
        {"period": ids["period"], "year": 2025, "items": [], "indicators": []},
        tenant=pole,
        actor=coordinator,
    )
    assert taken_back["period"]["indicators"] == [{"value": None}] * 3
    cleared = await ok(
        client,
        CLEAR,
        {
            "period": ids["period"],
            "year": 2026,
            "statuses": [{"itemId": ids["9"], "status": "not_done", "comment": "Reporté à 2027."}],
            "items": [ids["A"]],
            "indicators": [ids["children"]],
        },
        tenant=pole,
        actor=coordinator,
    )
    assert [i["value"] for i in cleared["period"]["indicators"]] == [
        None,  # taken back: nothing noted for 2026
        {"value": None},  # a gap (« Non disponible »)
        {"value": 118.0},
    ]
    orientations = await client.execute(
        """query($p: ID!) { actionPlanItems(periodId: $p, levels: ["orientation"],
          missingYear: 2026) { edges { node { label } } } }""",
        {"p": ids["period"]},
        tenant=pole,
        actor=coordinator,
    )
    assert orientations["data"]["actionPlanItems"]["edges"] == [
        {"node": {"label": "A"}},
        {"node": {"label": "B"}},
    ]

    # What is left to mark this year, and what is not done.
    left = await client.execute(
        """query($p: ID!) { actionPlanItems(periodId: $p, levels: ["action"], missingYear: 2026)
          { totalCount edges { node { label } } }
          notDone: actionPlanItems(periodId: $p, year: 2026, statuses: ["not_done"])
          { edges { node { label status(year: 2026) { comment } } } }
          gaps: actionPlanIndicators(periodId: $p, year: 2026, states: ["not_available"])
          { edges { node { name } } }
          empty: actionPlanIndicators(periodId: $p, missingYear: 2025) { totalCount } }""",
        {"p": ids["period"]},
        tenant=pole,
        actor=coordinator,
    )
    assert left["data"]["actionPlanItems"]["totalCount"] == 2
    assert [e["node"]["label"] for e in left["data"]["actionPlanItems"]["edges"]] == ["10", "11"]
    assert left["data"]["notDone"]["edges"] == [
        {"node": {"label": "9", "status": {"comment": "Reporté à 2027."}}}
    ]
    assert left["data"]["gaps"]["edges"] == [{"node": {"name": "Demandes observées dans le mois"}}]
    assert left["data"]["empty"]["totalCount"] == 3

    # Pages over the plan's reading order.
    first = await client.execute(
        """query($p: ID!, $after: String) { actionPlanItems(periodId: $p, first: 4, after: $after)
          { totalCount pageInfo { hasNextPage endCursor } edges { node { label } } } }""",
        {"p": ids["period"]},
        tenant=pole,
        actor=coordinator,
    )
    page = first["data"]["actionPlanItems"]
    assert page["totalCount"] == 9 and page["pageInfo"]["hasNextPage"]
    assert [e["node"]["label"] for e in page["edges"]] == ["A", "A.1", "A-1", "A-2"]
    second = await client.execute(
        """query($p: ID!, $after: String) { actionPlanItems(periodId: $p, first: 4, after: $after)
          { edges { node { label } } } }""",
        {"p": ids["period"], "after": page["pageInfo"]["endCursor"]},
        tenant=pole,
        actor=coordinator,
    )
    assert [e["node"]["label"] for e in second["data"]["actionPlanItems"]["edges"]] == [
        "B",
        "B.1",
        "9",
        "10",
    ]
    node = await client.execute(
        f'{{ node(id: "{ids["A-1"]}") '
        "{ ... on ActionPlanItem { title period { title } } } }",
        tenant=pole,
        actor=actor("staff"),
    )
    assert node["data"]["node"] == {
        "title": "Observer sur site dans le mois",
        "period": {"title": "Plan d'action 2025–2027"},
    }


async def test_bad_input_is_named_and_nothing_is_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    ids = await write_plan(client, pole, coordinator)

    async def fields(query: str, variables: dict[str, Any]) -> list[tuple[str, str]]:
        result = await client.execute(query, variables, tenant=pole, actor=coordinator)
        assert "errors" not in result, result
        (payload,) = result["data"].values()
        return [(e["code"], e["field"]) for e in payload["errors"]]

    good = {"itemId": ids["A-1"], "status": "done"}
    year_cases = [
        ({"year": 2024, "statuses": [good]}, ("VALIDATION", "year")),
        ({"year": 2028, "statuses": [good]}, ("VALIDATION", "year")),
        (
            {"statuses": [good, {"itemId": ids["A-2"], "status": "finished"}]},
            ("VALIDATION", "statuses.1.status"),
        ),
        ({"statuses": [good, good]}, ("VALIDATION", "statuses.1.itemId")),
        (
            {"statuses": [{**good, "itemId": str(uuid.uuid4())}]},
            ("VALIDATION", "statuses.0.itemId"),
        ),
        (
            {"statuses": [good], "values": [{"indicatorId": ids["kits"], "state": "pending"}]},
            ("VALIDATION", "values.0.reason"),
        ),
        (
            {"values": [{"indicatorId": ids["kits"], "state": "not_applicable", "reason": " "}]},
            ("VALIDATION", "values.0.reason"),
        ),
        (
            {
                "values": [
                    {"indicatorId": ids["kits"], "state": "pending", "value": 3, "reason": "x"}
                ]
            },
            ("VALIDATION", "values.0.value"),
        ),
        ({"values": [{"indicatorId": ids["kits"]}]}, ("VALIDATION", "values.0.value")),
        (
            {"values": [{"indicatorId": ids["observed"], "value": 140}]},
            ("VALIDATION", "values.0.value"),
        ),
        (
            {"values": [{"indicatorId": ids["kits"], "state": "lost", "reason": "x"}]},
            ("VALIDATION", "values.0.state"),
        ),
        (
            {"values": [{"indicatorId": "not-an-id", "value": 1}]},
            ("NOT_FOUND", "values.0.indicatorId"),
        ),
    ]
    for changes, expected in [
        ({"items": [str(uuid.uuid4())]}, ("VALIDATION", "clearItemIds.0")),
        ({"items": [ids["A-2"], ids["A-1"]], "statuses": [good]}, ("VALIDATION", "clearItemIds.1")),
        ({"indicators": [ids["A-1"]]}, ("VALIDATION", "clearIndicatorIds.0")),
    ]:
        variables = {"period": ids["period"], "year": 2026, **changes}
        assert await fields(CLEAR, variables) == [expected], changes
    for changes, expected in year_cases:
        variables = {"period": ids["period"], "year": 2026, **changes}
        assert await fields(RECORD, variables) == [expected], changes

    item_cases = [
        ({"parent": ids["A-1"], "input": {"label": "x", "title": "t"}}, ("VALIDATION", "parentId")),
        ({"parent": ids["A.1"], "input": {"label": "A-1", "title": "t"}}, ("CONFLICT", "label")),
        ({"period": ids["period"], "input": {"label": " A ", "title": "t"}}, ("CONFLICT", "label")),
        ({"period": ids["period"], "input": {"label": " ", "title": "t"}}, ("VALIDATION", "label")),
        ({"period": ids["period"], "input": {"label": "C", "title": ""}}, ("VALIDATION", "title")),
        (
            {"period": ids["period"], "input": {"label": "C" * 21, "title": "t"}},
            ("VALIDATION", "label"),
        ),
        (
            {"period": ids["period"], "input": {"label": "C", "title": "t", "position": -1}},
            ("VALIDATION", "position"),
        ),
        ({"input": {"label": "C", "title": "t"}}, ("VALIDATION", "periodId")),
        (
            {"period": str(uuid.uuid4()), "input": {"label": "C", "title": "t"}},
            ("NOT_FOUND", "periodId"),
        ),
    ]
    for variables, expected in item_cases:
        assert await fields(ADD, variables) == [expected], variables
    assert await fields(
        UPDATE_ITEM, {"id": ids["A-2"], "input": {"label": "A-1", "title": "t"}}
    ) == [("CONFLICT", "label")]

    indicator_cases = [
        ({"name": "n", "unit": "u", "itemId": ids["A"]}, ("VALIDATION", "itemId")),
        ({"name": "", "unit": "u"}, ("VALIDATION", "name")),
        ({"name": "n", "unit": " "}, ("VALIDATION", "unit")),
        ({"name": "n", "unit": "u", "baselineYear": 2024}, ("VALIDATION", "baseline")),
        (
            {"name": "n", "unit": "u", "baseline": 1, "baselineYear": 1990},
            ("VALIDATION", "baselineYear"),
        ),
    ]
    for changes, expected in indicator_cases:
        variables = {"period": ids["period"], "input": changes}
        assert await fields(INDICATOR, variables) == [expected], changes

    period_cases = [
        ({"title": "x", "firstYear": 2029, "lastYear": 2028}, ("VALIDATION", "lastYear")),
        ({"title": "x", "firstYear": 2028, "lastYear": 2038}, ("VALIDATION", "lastYear")),
        ({"title": "x", "firstYear": 1999, "lastYear": 2001}, ("VALIDATION", "firstYear")),
        ({"title": "x", "firstYear": 2027, "lastYear": 2029}, ("CONFLICT", "firstYear")),
        ({"title": " ", "firstYear": 2028, "lastYear": 2030}, ("VALIDATION", "title")),
    ]
    for data, expected in period_cases:
        assert await fields(CREATE, {"input": data}) == [expected], data

    # Another period's item is not this period's.
    other = await ok(
        client,
        CREATE,
        {"input": {"title": "Plan 2028–2030", "firstYear": 2028, "lastYear": 2030}},
        tenant=pole,
        actor=coordinator,
    )
    assert await fields(
        RECORD,
        {"period": other["period"]["id"], "year": 2028, "statuses": [good]},
    ) == [("VALIDATION", "statuses.0.itemId")]
    assert await fields(
        INDICATOR,
        {
            "period": other["period"]["id"],
            "input": {"name": "n", "unit": "u", "itemId": ids["A-1"]},
        },
    ) == [("VALIDATION", "itemId")]

    async with db.session(pole.id) as session:
        assert await session.scalar(select(func.count()).select_from(PlanItemStatus)) == 0
        assert await session.scalar(select(func.count()).select_from(IndicatorValue)) == 0
        assert await session.scalar(select(func.count()).select_from(PlanItem)) == 8
        assert await session.scalar(select(func.count()).select_from(PlanIndicator)) == 3


async def test_the_database_holds_the_shape_on_its_own(db: Database, two_poles: TwoPoles) -> None:
    """Without the service: a gap without its reason, a level out of place, a label twice
    among the orientations, an indicator on an orientation — all refused by the database."""
    pole = two_poles.a
    async with db.session(pole.id) as session:
        period = PlanPeriod(title="P", first_year=2025, last_year=2027)
        session.add(period)
        await session.flush()
        root_id = uuid.uuid4()
        root = PlanItem(
            id=root_id,
            period_id=period.id,
            level="orientation",
            label="1",
            title="O",
            lineage_id=root_id,
        )
        session.add(root)
        await session.flush()
        indicator_id = uuid.uuid4()
        session.add(
            PlanIndicator(
                id=indicator_id, period_id=period.id, name="I", unit="u", lineage_id=indicator_id
            )
        )
        await session.commit()
        period_id = period.id

    now = dt.datetime.now(dt.UTC)
    wrong: list[Any] = [
        IndicatorValue(
            indicator_id=indicator_id,
            year=2026,
            state="pending",
            reason="  ",
            recorded_at=now,
            recorded_by="t",
        ),
        IndicatorValue(
            indicator_id=indicator_id,
            year=2026,
            state="available",
            recorded_at=now,
            recorded_by="t",
        ),
        # An action straight under an orientation.
        PlanItem(
            period_id=period_id,
            level="action",
            parent_id=root_id,
            parent_level="orientation",
            label="1.1",
            title="A",
            lineage_id=uuid.uuid4(),
        ),
        # Claims its parent is an objective: the parent's real level does not match.
        PlanItem(
            period_id=period_id,
            level="action",
            parent_id=root_id,
            parent_level="objective",
            label="1.2",
            title="A",
            lineage_id=uuid.uuid4(),
        ),
        PlanItem(
            period_id=period_id, level="orientation", label="1", title="O", lineage_id=uuid.uuid4()
        ),
        PlanIndicator(
            period_id=period_id,
            item_id=root_id,
            item_level="orientation",
            name="I",
            unit="u",
            lineage_id=uuid.uuid4(),
        ),
    ]
    for row in wrong:
        async with db.session(pole.id) as session:
            session.add(row)
            with pytest.raises(IntegrityError):
                await session.flush()
            await session.rollback()


async def test_a_new_period_continues_the_previous_one_and_history_is_kept(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    ids = await write_plan(client, pole, coordinator)
    for year, status, value in ((2025, "in_progress", 61), (2026, "done", 70)):
        await ok(
            client,
            RECORD,
            {
                "period": ids["period"],
                "year": year,
                "statuses": [{"itemId": ids["A-1"], "status": status}],
                "values": [{"indicatorId": ids["observed"], "value": value}],
            },
            tenant=pole,
            actor=coordinator,
        )
    await ok(
        client,
        RECORD,
        {
            "period": ids["period"],
            "year": 2027,
            "values": [{"indicatorId": ids["observed"], "state": "pending", "reason": "À venir."}],
        },
        tenant=pole,
        actor=coordinator,
    )
    async with db.session(pole.id) as session:
        before = sorted(
            (s.year, s.status, s.recorded_at)
            for s in (await session.execute(select(PlanItemStatus))).scalars()
        )

    started = await ok(
        client,
        CONTINUE,
        {
            "previous": ids["period"],
            "input": {"title": "Plan d'action 2028–2030", "firstYear": 2028, "lastYear": 2030},
        },
        tenant=pole,
        actor=coordinator,
    )
    new = started["period"]
    assert new["previousPeriod"] == {"title": "Plan d'action 2025–2027"}
    assert [(o["label"], o["predecessorId"], o["statuses"]) for o in new["orientations"]] == [
        ("A", raw(ids["A"]), []),
        ("B", raw(ids["B"]), []),
    ]
    copied = new["orientations"][0]["children"][0]["children"]
    assert [(a["label"], a["predecessorId"]) for a in copied] == [
        ("A-1", raw(ids["A-1"])),
        ("A-2", raw(ids["A-2"])),
    ]
    observed = next(i for i in new["indicators"] if i["predecessorId"] == raw(ids["observed"]))
    # The new baseline is the last known value (2026: 70; 2027 is only pending).
    assert (observed["baseline"], observed["baselineYear"], observed["target"]) == (
        70.0,
        2026,
        80.0,
    )
    assert observed["values"] == []
    kits = next(i for i in new["indicators"] if i["predecessorId"] == raw(ids["kits"]))
    assert (kits["baseline"], kits["baselineYear"]) == (60.0, 2024)

    # The new period's evaluation does not touch the previous one.
    await ok(
        client,
        RECORD,
        {
            "period": new["id"],
            "year": 2028,
            "statuses": [{"itemId": copied[0]["id"], "status": "in_progress"}],
        },
        tenant=pole,
        actor=coordinator,
    )
    await ok(
        client,
        UPDATE_ITEM,
        {"id": copied[0]["id"], "input": {"label": "A-1", "title": "Observer sous 15 jours"}},
        tenant=pole,
        actor=coordinator,
    )
    async with db.session(pole.id) as session:
        after = sorted(
            (s.year, s.status, s.recorded_at)
            for s in (
                await session.execute(
                    select(PlanItemStatus)
                    .join(PlanItem, PlanItem.id == PlanItemStatus.item_id)
                    .where(PlanItem.period_id == try_uuid(ids["period"]))
                )
            ).scalars()
        )
    assert after == before

    history = await client.execute(
        """query($id: ID!, $ind: ID!) { actionPlanItemHistory(id: $id) { title period { title }
          statuses { year status { value } } }
          actionPlanIndicatorHistory(id: $ind) { period { firstYear } baseline
            values { year state { value } value } } }""",
        {"id": copied[0]["id"], "ind": ids["observed"]},
        tenant=pole,
        actor=actor("staff"),
    )
    assert history["data"]["actionPlanItemHistory"] == [
        {
            "title": "Observer sur site dans le mois",
            "period": {"title": "Plan d'action 2025–2027"},
            "statuses": [
                {"year": 2025, "status": {"value": "in_progress"}},
                {"year": 2026, "status": {"value": "done"}},
            ],
        },
        {
            "title": "Observer sous 15 jours",
            "period": {"title": "Plan d'action 2028–2030"},
            "statuses": [{"year": 2028, "status": {"value": "in_progress"}}],
        },
    ]
    assert [h["period"]["firstYear"] for h in history["data"]["actionPlanIndicatorHistory"]] == [
        2025,
        2028,
    ]
    assert history["data"]["actionPlanIndicatorHistory"][0]["values"][1] == {
        "year": 2026,
        "state": {"value": "available"},
        "value": 70.0,
    }

    again = await client.execute(
        CONTINUE,
        {"previous": ids["period"], "input": {"title": "x", "firstYear": 2031, "lastYear": 2033}},
        tenant=pole,
        actor=coordinator,
    )
    assert again["data"]["startActionPlanPeriodFrom"]["errors"] == [
        {"code": "CONFLICT", "field": "previousId"}
    ]
    early = await client.execute(
        CONTINUE,
        {"previous": new["id"], "input": {"title": "x", "firstYear": 2030, "lastYear": 2032}},
        tenant=pole,
        actor=coordinator,
    )
    assert early["data"]["startActionPlanPeriodFrom"]["errors"] == [
        {"code": "VALIDATION", "field": "firstYear"}
    ]
    # Years already evaluated stay inside their period; evaluated or continued items stay.
    narrowed = await client.execute(
        UPDATE_PERIOD,
        {"id": ids["period"], "input": {"title": "P", "firstYear": 2025, "lastYear": 2026}},
        tenant=pole,
        actor=coordinator,
    )
    assert narrowed["data"]["updateActionPlanPeriod"]["errors"] == [
        {"code": "CONFLICT", "field": "lastYear"}
    ]
    for item, why in (
        (ids["A-1"], "evaluated"),
        (ids["B.1"], "continued"),
        (copied[0]["id"], "evaluated"),
    ):
        refused = await client.execute(DELETE_ITEM, {"id": item}, tenant=pole, actor=coordinator)
        assert refused["data"]["deleteActionPlanItem"]["errors"] == [
            {"code": "CONFLICT", "field": "id"}
        ], why
    # A copied branch the new plan does not continue goes, with what it holds.
    pruned = await ok(
        client,
        DELETE_ITEM,
        {"id": new["orientations"][1]["id"]},
        tenant=pole,
        actor=coordinator,
    )
    assert pruned["period"]["orientations"] == [{"label": "A"}]
    async with db.session(pole.id) as session:
        kept = await session.scalar(
            select(func.count())
            .select_from(PlanItem)
            .where(PlanItem.period_id == try_uuid(ids["period"]))
        )
        assert kept == 8
        copies = await session.scalar(
            select(func.count())
            .select_from(PlanIndicator)
            .where(PlanIndicator.period_id == try_uuid(new["id"]))
        )
        assert copies == 2  # the kits indicator went with its objective


async def test_isolation_and_permissions(client: GraphQLClient, two_poles: TwoPoles) -> None:
    pole, other = two_poles.a, two_poles.b
    ids = await write_plan(client, pole, actor("coordinator"))
    listing = "{ actionPlanPeriods { totalCount edges { node { title } } } }"

    theirs = actor("coordinator")
    assert (await client.execute(listing, tenant=other, actor=theirs))["data"]["actionPlanPeriods"][
        "totalCount"
    ] == 0
    for key in ("period", "A-1", "kits"):
        node = await client.execute(
            f'{{ node(id: "{ids[key]}") {{ id }} }}', tenant=other, actor=theirs
        )
        assert node["data"]["node"] is None
    foreign = await client.execute(
        RECORD,
        {
            "period": ids["period"],
            "year": 2026,
            "statuses": [{"itemId": ids["A-1"], "status": "done"}],
        },
        tenant=other,
        actor=theirs,
    )
    assert foreign["data"]["recordActionPlanYear"]["errors"] == [
        {"code": "NOT_FOUND", "field": "periodId"}
    ]
    history = await client.execute(
        f'{{ actionPlanItemHistory(id: "{ids["A-1"]}") {{ title }} }}', tenant=other, actor=theirs
    )
    assert error_codes(history) == ["NOT_FOUND"]

    # The team reads; the coordinator and the pole's administrator write.
    for role in ("staff", "psychologist", "coordinator", "pole_admin"):
        read = await client.execute(listing, tenant=pole, actor=actor(role))
        assert read["data"]["actionPlanPeriods"]["totalCount"] == 1, role
    for role in ("staff", "psychologist"):
        refused = await client.execute(
            RECORD,
            {
                "period": ids["period"],
                "year": 2026,
                "statuses": [{"itemId": ids["A"], "status": "done"}],
            },
            tenant=pole,
            actor=actor(role),
        )
        assert error_codes(refused) == ["FORBIDDEN"], role
    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        refused = await client.execute(listing, tenant=pole, actor=actor(role))
        assert error_codes(refused) == ["FORBIDDEN"], role
    admin = await client.execute(
        RECORD,
        {
            "period": ids["period"],
            "year": 2026,
            "statuses": [{"itemId": ids["A"], "status": "done"}],
        },
        tenant=pole,
        actor=actor("pole_admin"),
    )
    assert admin["data"]["recordActionPlanYear"]["errors"] == []


async def test_a_plan_costs_the_same_for_few_and_many_actions(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, staff = two_poles.a, actor("staff")
    await client.auth_headers(pole, staff)

    async def fill(actions: int) -> None:
        """One plan, one orientation, one objective, ``actions`` actions, each with two
        statuses and an indicator with two values."""
        now = dt.datetime.now(dt.UTC)
        async with db.session(pole.id) as session:
            period = (await session.execute(select(PlanPeriod))).scalar()
            if period is None:
                period = PlanPeriod(title="Plan", first_year=2025, last_year=2027)
                session.add(period)
                await session.flush()
                for level, parent in (("orientation", None), ("objective", "orientation")):
                    parent_row = (
                        (
                            await session.execute(select(PlanItem).where(PlanItem.level == parent))
                        ).scalar()
                        if parent
                        else None
                    )
                    item_id = uuid.uuid4()
                    session.add(
                        PlanItem(
                            id=item_id,
                            period_id=period.id,
                            level=level,
                            parent_id=parent_row.id if parent_row else None,
                            parent_level=parent,
                            label="1",
                            title=level,
                            lineage_id=item_id,
                        )
                    )
                    await session.flush()
            objective = (
                await session.execute(select(PlanItem).where(PlanItem.level == "objective"))
            ).scalar_one()
            have = await session.scalar(
                select(func.count()).select_from(PlanItem).where(PlanItem.level == "action")
            )
            for n in range(have or 0, actions):
                item_id, indicator_id = uuid.uuid4(), uuid.uuid4()
                session.add(
                    PlanItem(
                        id=item_id,
                        period_id=period.id,
                        level="action",
                        parent_id=objective.id,
                        parent_level="objective",
                        label=f"1.1.{n}",
                        title=f"Action {n}",
                        position=n,
                        lineage_id=item_id,
                    )
                )
                await session.flush()
                session.add(
                    PlanIndicator(
                        id=indicator_id,
                        period_id=period.id,
                        item_id=item_id,
                        item_level="action",
                        name=f"Indicateur {n}",
                        unit="u",
                        position=n,
                        lineage_id=indicator_id,
                    )
                )
                await session.flush()
                for year in (2025, 2026):
                    session.add(
                        PlanItemStatus(
                            item_id=item_id,
                            year=year,
                            status="done",
                            recorded_at=now,
                            recorded_by="t",
                        )
                    )
                    session.add(
                        IndicatorValue(
                            indicator_id=indicator_id,
                            year=year,
                            state="available",
                            value=float(n),
                            recorded_at=now,
                            recorded_by="t",
                        )
                    )
            await session.commit()

    query = """{ actionPlanPeriods(first: 10) { edges { node { title years previousPeriod { title }
      summary(year: 2026) { count }
      orientations { label statuses { year } children { label children { label title
        statuses { year status { label } comment } status(year: 2026) { status { value } }
        indicators { name values { year value state { label } } } } } }
      indicators { name values { value } } } } } }"""
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for size in (3, 60):
        await fill(size)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            result = await client.execute(query, tenant=pole, actor=staff)
            (period,) = result["data"]["actionPlanPeriods"]["edges"]
            actions = period["node"]["orientations"][0]["children"][0]["children"]
            assert len(actions) == size and len(period["node"]["indicators"]) == size
            assert period["node"]["summary"][0]["count"] == size
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert measured[0] == measured[1], measured


async def test_the_demo_plan(db: Database) -> None:
    pole = await make_tenant(db, "63")
    async with db.session(pole.id) as session:
        await seed_action_plan(pole, session)
        await seed_action_plan(pole, session)  # idempotent
        await session.commit()
    async with db.session(pole.id) as session:
        (period,) = (await session.execute(select(PlanPeriod))).scalars().all()
        assert (period.first_year, period.last_year) == (2025, 2027)
        items = (await session.execute(select(PlanItem))).scalars().all()
        titles = " ".join(i.title for i in items if i.level == "orientation")
        assert "référents" in titles and "familles" in titles and "droit commun" in titles
        years = {s.year for s in (await session.execute(select(PlanItemStatus))).scalars().all()}
        assert years == {2025, 2026}
        values = (await session.execute(select(IndicatorValue))).scalars().all()
        gaps = [v for v in values if v.state != "available"]
        assert gaps and all(v.reason and v.value is None for v in gaps)
        assert any(v.state == "available" for v in values)


async def test_indicators_are_corrected_and_removed_only_without_values(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    ids = await write_plan(client, pole, coordinator)
    update = """mutation($id: ID!, $input: ActionPlanIndicatorInput!) {
      updateActionPlanIndicator(id: $id, input: $input) {
        indicator { name unit itemId target position } errors { code field } } }"""
    moved = await ok(
        client,
        update,
        {
            "id": ids["kits"],
            "input": {
                "name": "Prêts de malles et de kits",
                "unit": "prêts",
                "target": 140,
                "itemId": ids["9"],
                "position": 0,
            },
        },
        tenant=pole,
        actor=coordinator,
    )
    assert moved["indicator"] == {
        "name": "Prêts de malles et de kits",
        "unit": "prêts",
        "itemId": raw(ids["9"]),
        "target": 140.0,
        "position": 0,
    }
    refused = await client.execute(
        update,
        {"id": ids["kits"], "input": {"name": "x", "unit": "u", "itemId": ids["B"]}},
        tenant=pole,
        actor=coordinator,
    )
    assert refused["data"]["updateActionPlanIndicator"]["errors"] == [
        {"code": "VALIDATION", "field": "itemId"}
    ]
    await ok(
        client,
        RECORD,
        {
            "period": ids["period"],
            "year": 2025,
            "values": [{"indicatorId": ids["kits"], "value": 3}],
        },
        tenant=pole,
        actor=coordinator,
    )
    remove = """mutation($id: ID!) { deleteActionPlanIndicator(id: $id) {
      period { indicators { name position } } errors { code field } } }"""
    kept = await client.execute(remove, {"id": ids["kits"]}, tenant=pole, actor=coordinator)
    assert kept["data"]["deleteActionPlanIndicator"]["errors"] == [
        {"code": "CONFLICT", "field": "id"}
    ]
    gone = await ok(client, remove, {"id": ids["children"]}, tenant=pole, actor=coordinator)
    assert [(i["name"], i["position"]) for i in gone["period"]["indicators"]] == [
        ("Prêts de malles et de kits", 0),
        ("Demandes observées dans le mois", 1),
    ]


async def test_the_printable_evaluation_of_a_year(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, coordinator = two_poles.a, actor("coordinator")
    ids = await write_plan(client, pole, coordinator)
    await ok(
        client,
        RECORD,
        {
            "period": ids["period"],
            "year": 2026,
            "statuses": [
                {"itemId": ids["A-1"], "status": "done", "comment": "Dans les délais."},
                {"itemId": ids["9"], "status": "not_done"},
            ],
            "values": [
                {"indicatorId": ids["children"], "value": 1212.5},
                {"indicatorId": ids["kits"], "state": "pending", "reason": "Bilan en décembre."},
            ],
        },
        tenant=pole,
        actor=coordinator,
    )
    urls = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on ActionPlanPeriod { "
        "html: evaluationUrl(year: 2026) pdf: evaluationUrl(year: 2026, pdf: true) } } }",
        {"id": ids["period"]},
        tenant=pole,
        actor=coordinator,
    )
    html_url, pdf_url = urls["data"]["node"]["html"], urls["data"]["node"]["pdf"]
    headers = await client.auth_headers(pole, actor("staff"))
    html = await client.http.get(html_url, headers=headers)
    assert html.status_code == 200
    text = html.text
    assert "Bilan 2026 — Plan d'action 2025–2027 (2025–2027)" in unescape(text)
    assert "réalisé : 1" in text and "non réalisé : 1" in text and "pas encore noté : 2" in text
    assert "<td>Réalisé</td><td>Dans les délais.</td>" in text
    assert "<td>1 212,5</td>" in text
    assert "<td>En attente</td><td>Bilan en décembre.</td>" in text
    assert "<td>Pas encore noté</td>" in text  # the observed indicator has nothing for 2026
    pdf = await client.http.get(pdf_url, headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    base = html_url.split("?")[0]
    outside = await client.http.get(base + "?year=2024", headers=headers)
    assert outside.status_code == 400 and outside.json()["error"]["field"] == "year"
    assert (await client.http.get(base, headers=headers)).status_code == 400
    assert (await client.http.get(html_url)).status_code == 401
    other = await client.auth_headers(two_poles.b, actor("coordinator"))
    assert (await client.http.get(html_url, headers=other)).status_code == 404
    family = await client.auth_headers(pole, actor("family"))
    assert (await client.http.get(html_url, headers=family)).status_code == 403
