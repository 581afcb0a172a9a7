"""Selection-driven loading (issue 14, decision 95): a follow-up page reads only what the
query selects, nested lists in per-request batches (DataLoaders), so a page costs the same
small number of statements for 10 and for 100 rows, on SQLite and PostgreSQL.

Statements are counted on the app's engine while the request runs, and only those that
read the pole's data: the tables of casework, families, structures, territory and the
staff names (``users.display_name``). Authentication (session, account, membership),
the per-transaction tenant setting, the plugin rows and the audit lines written at the
end of the request are the same for every query and are left out, so a count says what
the selection costs and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from core.access.actions import Actor
from core.api.loaders import Bound
from core.audit.models import AuditEvent
from core.auth.models import User
from core.domain.casework import graphql as casework
from core.domain.casework.models import FollowUp, FollowUpPartner, FollowUpStructure, Intervention
from core.domain.casework.models import Request as RequestModel
from core.domain.families import graphql as families_graphql
from core.domain.families.models import Child, ChildStructure, Consent, Family, Guardian
from core.domain.structures import graphql as structures_graphql
from core.domain.structures.models import ContactPerson, Organisation, Partner, Structure
from core.ids import uuid7
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles

DATA_TABLES = (
    "requests|follow_ups|follow_up_structures|follow_up_partners|interventions|families|"
    "guardians|consents|children|child_structures|child_partners|organisations|structures|"
    "partners|contact_people|communes|departements|epci|commune_postal_codes"
)
# A table name after FROM or JOIN (quoted or not).
_DATA = re.compile(rf'\b(FROM|JOIN)\s+"?({DATA_TABLES})"?\b', re.I)
# The staff names' look-up (the account read at sign-in selects more columns).
_STAFF = re.compile(r"SELECT users\.id, users\.display_name\s+FROM users\b", re.I)


def data_statement(sql: str) -> bool:
    sql = sql.lstrip()
    return sql.upper().startswith("SELECT") and bool(_DATA.search(sql) or _STAFF.match(sql))


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """The data statements sent while the block runs."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if data_statement(statement):
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)


@contextmanager
def every_statement(db: Database) -> Iterator[list[str]]:
    """Every statement of the block as the server receives it: SQL, and BEGIN, COMMIT,
    ROLLBACK (the benchmark counts them with pg_stat_statements)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    def control(name: str) -> Any:
        return lambda *_args: seen.append(name)

    engine = db.engine.sync_engine
    listeners = [("before_cursor_execute", note)] + [
        (name.lower(), control(name)) for name in ("BEGIN", "COMMIT", "ROLLBACK")
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def actor() -> Actor:
    return Actor(
        subject=f"test:load-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset({"coordinator"}),
    )


async def fill(db: Database, pole: Any, count: int) -> None:
    """``count`` follow-ups, each with its child (in one of a few families), a crèche
    attended, a structure and a partner on the file, a referent and two interventions;
    as many requests, assigned to the referent."""
    async with db.reference_session() as session:
        referent = User(email=f"{uuid.uuid4().hex[:8]}@pole.test", display_name="Référente")
        session.add(referent)
        await session.commit()
    async with db.session(pole.id) as session:
        creches = [
            Structure(
                name=f"Crèche {i}", search_name=f"creche {i}", kind="eaje", commune_insee="62119"
            )
            for i in range(5)
        ]
        partner = Partner(name="CAMSP d'Arras", search_name="camsp d arras", kind="camsp")
        town = Organisation(name="Ville d'Arras", search_name="ville d arras", kind="commune")
        session.add(town)
        await session.flush()
        for creche in creches:
            creche.organisation_id = town.id
        families = [
            Family(name=f"Famille {i}", search_name=f"famille {i}", commune_insee="62119")
            for i in range(7)
        ]
        session.add_all([*creches, partner, *families])
        await session.flush()
        session.add_all(
            [
                ContactPerson(structure_id=creches[0].id, first_name="Ana", last_name="Directrice"),
                Guardian(
                    family_id=families[0].id,
                    first_name="Jo",
                    last_name="Parent",
                    relationship_="mother",
                ),
                Consent(
                    family_id=families[0].id,
                    purpose="share_with_structure",
                    given_by="Jo Parent",
                    recorded_by="test",
                    given_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
                ),
            ]
        )
        # Rows by kind, in the order of their foreign keys, a flush per kind rather than
        # per row (the ids are given here: nothing waits for the database's answer).
        children: list[Child] = []
        follow_ups: list[FollowUp] = []
        rest: list[object] = []
        for i in range(count):
            creche = creches[i % len(creches)]
            child = Child(
                id=uuid7(),
                family_id=families[i % len(families)].id,
                first_name=f"Enfant {i}",
                birth_date=dt.date(2022, 1, 1) + dt.timedelta(days=i),
                commune_insee="62119",
            )
            follow_up = FollowUp(
                id=uuid7(),
                child_id=child.id,
                opened_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                status="open",
                referent_user_id=referent.id,
            )
            children.append(child)
            follow_ups.append(follow_up)
            rest += [
                ChildStructure(
                    child_id=child.id, structure_id=creche.id, starts_on=dt.date(2025, 9, 1)
                ),
                FollowUpStructure(follow_up_id=follow_up.id, structure_id=creche.id),
                FollowUpPartner(follow_up_id=follow_up.id, partner_id=partner.id),
                *(
                    Intervention(
                        follow_up_id=follow_up.id,
                        kind="observation",
                        happened_on=dt.date(2026, 2, 1) + dt.timedelta(days=day),
                        structure_id=creche.id,
                        staff_user_id=referent.id,
                        notes="(fictif) observation",
                    )
                    for day in (0, 7)
                ),
                RequestModel(
                    received_on=dt.date(2026, 1, 1),
                    channel="phone",
                    requester_kind="eaje",
                    requester_name="Directrice",
                    subjects=["professional_question"],
                    assigned_to=referent.id,
                ),
            ]
        for rows in (children, follow_ups, rest):
            session.add_all(rows)
            await session.flush()
        await session.commit()


IDS = "query($first: Int) { followUps(first: $first) { edges { node { id } } } }"
NESTED = """query($first: Int) { followUps(first: $first) { edges { node { id
  child { firstName birthDate structures { startsOn structure { name } } }
  structures { name }
  interventions { kind { label } happenedOn } } } } }"""


async def cost(
    client: GraphQLClient, db: Database, pole: Any, who: Actor, query: str, first: int
) -> list[str]:
    """The data statements of one request for the page of ``first`` follow-ups."""
    await client.auth_headers(pole, who)
    with counting(db) as seen:
        result = await client.execute(query, {"first": first}, tenant=pole, actor=who)
    assert "errors" not in result, result
    (value,) = result["data"].values()
    assert len(value["edges"]) == first
    return seen


@pytest.fixture
async def pole(db: Database, two_poles: TwoPoles) -> Any:
    await fill(db, two_poles.a, 100)
    return two_poles.a


async def test_ids_only_cost_the_page(client: GraphQLClient, db: Database, pole: Any) -> None:
    who = actor()
    costs = [await cost(client, db, pole, who, IDS, n) for n in (10, 100)]
    assert [len(c) for c in costs] == [1, 1], costs


async def test_the_nested_page_costs_the_same_for_10_and_100(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    who = actor()
    costs = [await cost(client, db, pole, who, NESTED, n) for n in (10, 100)]
    # the page and the children (joined: decision 217; no total: none asked), their crèches
    # (links with the structures), the file's structures (links with the structures),
    # the interventions.
    assert [len(c) for c in costs] == [4, 4], costs


@pytest.mark.parametrize(
    ("selection", "added"),
    [
        # The child and the referent come with the page (decision 217).
        ("child { firstName }", 0),
        ("child { firstName structures { startsOn } }", 1),
        ("structures { name }", 1),
        ("structures { name commune { name } }", 2),
        ("child { firstName commune { inseeCode name } }", 1),
        ("child { commune { name } } structures { commune { name } }", 2),
        ("structures { name contacts { lastName } }", 2),
        ("structures { name organisation { name } }", 2),
        ("partners { name }", 1),
        ("interventions { happenedOn }", 1),
        ("interventions { happenedOn structure { name } }", 2),
        ("interventions { happenedOn staff { displayName } }", 2),
        ("referent { displayName }", 0),
        ("referent { displayName } child { firstName }", 0),
        ("status { label } openedOn outcomeNotes requestId", 0),
    ],
)
async def test_each_nested_field_costs_its_statements_only_when_selected(
    client: GraphQLClient, db: Database, pole: Any, selection: str, added: int
) -> None:
    who = actor()
    query = (
        "query($first: Int) { followUps(first: $first) { edges { node { id "
        + selection
        + " } } } }"
    )
    for first in (10, 100):
        seen = await cost(client, db, pole, who, query, first)
        assert len(seen) == 1 + added, (selection, first, seen)


async def test_requests_page_costs_the_page_with_its_total(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    who = actor()
    query = """query($first: Int) { requests(first: $first) { edges { node { id
      requesterName status { label } } } } }"""
    for first in (10, 100):
        assert len(await cost(client, db, pole, who, query, first)) == 1
    with_staff = query.replace("requesterName", "requesterName assignedTo { displayName }")
    for first in (10, 100):
        assert len(await cost(client, db, pole, who, with_staff, first)) == 2


async def test_a_page_read_through_loaders_is_still_audited_field_by_field(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    who = actor()
    query = """{ followUps(first: 3) { edges { node { outcomeNotes
      child { id firstName structures { startsOn } }
      interventions { notes } } } } }"""
    result = await client.execute(query, tenant=pole, actor=who)
    nodes = [e["node"] for e in result["data"]["followUps"]["edges"]]
    async with db.session(pole.id) as session:
        reads = (
            (await session.execute(select(AuditEvent).where(AuditEvent.action == "read")))
            .scalars()
            .all()
        )
    by_type: dict[str, list[set[str]]] = {}
    for r in reads:
        by_type.setdefault(r.object_type, []).append(set(r.fields))
    children = {n["child"]["id"] for n in nodes}
    assert len(by_type["Child"]) == len(children) == 3
    assert all(f == {"firstName", "structures"} for f in by_type["Child"])
    assert by_type["FollowUp"] == [{"outcomeNotes"}] * 3
    assert by_type["Intervention"] == [{"notes"}] * 6


async def test_a_mutation_reads_what_it_wrote_not_what_the_request_loaded_before(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    who = actor()
    async with db.session(pole.id) as session:
        follow_up = (await session.execute(select(FollowUp.id).limit(1))).scalar_one()
    log = """mutation($a: InterventionInput!, $b: InterventionInput!) {
      first: logIntervention(input: $a) { followUp { interventions { happenedOn } } }
      second: logIntervention(input: $b) { followUp { interventions { happenedOn } } } }"""

    def intervention(day: str) -> dict[str, Any]:
        return {"followUpId": str(follow_up), "kind": "phone_guidance", "happenedOn": day}

    result = await client.execute(
        log,
        {"a": intervention("2026-06-01"), "b": intervention("2026-06-02")},
        tenant=pole,
        actor=who,
    )
    assert "errors" not in result, result
    first = [i["happenedOn"] for i in result["data"]["first"]["followUp"]["interventions"]]
    second = [i["happenedOn"] for i in result["data"]["second"]["followUp"]["interventions"]]
    assert first[-1] == "2026-06-01" and "2026-06-02" not in first
    assert second[-2:] == ["2026-06-01", "2026-06-02"]


async def test_batches_read_only_the_poles_rows(
    db: Database, two_poles: TwoPoles, pole: Any
) -> None:
    """Column reads and joins of the batches stay behind the pole's wall: asked for
    another pole's ids, every batch finds nothing."""
    async with db.session(pole.id) as session:
        follow_ups = list((await session.execute(select(FollowUp.id))).scalars())
        children = list((await session.execute(select(Child.id))).scalars())
        structures = list((await session.execute(select(Structure.id))).scalars())
        families = list((await session.execute(select(Family.id))).scalars())
    async with db.session(two_poles.b.id) as session:
        for batch, keys in [
            *(
                (casework.interventions_by_follow_up, [(f, bound) for f in follow_ups])
                for bound in (Bound(), Bound(first=1), Bound(last=1))
            ),
            (casework.structures_by_follow_up, follow_ups),
            (casework.partners_by_follow_up, follow_ups),
            (families_graphql.children_by_id, children),
            (families_graphql.structure_links_by_child, children),
            (families_graphql.children_by_family, [(f, Bound(last=2)) for f in families]),
            (families_graphql.children_by_family, [(f, Bound()) for f in families]),
            (families_graphql.families_by_id, families),
            (structures_graphql.structures_by_id, structures),
            (structures_graphql.contacts_by_structure, structures),
        ]:
            assert await batch(session, keys) == {}, batch.__name__
        assert await casework.load_follow_ups(session, select(FollowUp)) == []


async def test_nested_lists_take_first_or_last_read_in_sql(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    """``interventions(last: 1)``: each follow-up's latest only, for the whole page in one
    statement, in the list's order; ``first`` the earliest."""
    who = actor()
    every = "query($first: Int) { followUps(first: $first) { edges { node { interventions {"
    every += " happenedOn } } } } }"
    full = await client.execute(every, {"first": 10}, tenant=pole, actor=who)
    timelines = [
        [i["happenedOn"] for i in e["node"]["interventions"]]
        for e in full["data"]["followUps"]["edges"]
    ]
    assert all(len(t) == 2 and t == sorted(t) for t in timelines)
    for argument, expected in (
        ("last: 1", [t[-1:] for t in timelines]),
        ("first: 1", [t[:1] for t in timelines]),
    ):
        query = every.replace("interventions {", f"interventions({argument}) {{")
        for first in (10, 100):
            seen = await cost(client, db, pole, who, query, first)
            assert len(seen) == 2, (argument, first, seen)
        result = await client.execute(query, {"first": 10}, tenant=pole, actor=who)
        got = [
            [i["happenedOn"] for i in e["node"]["interventions"]]
            for e in result["data"]["followUps"]["edges"]
        ]
        assert got == expected, argument


@pytest.mark.parametrize(
    ("arguments", "field"),
    [("first: 1, last: 1", "last"), ("last: 101", "last"), ("first: -1", "first")],
)
async def test_a_nested_bound_out_of_range_is_a_coded_validation_error(
    client: GraphQLClient, pole: Any, arguments: str, field: str
) -> None:
    nested = f"interventions({arguments}) {{ happenedOn }}"
    query = "{ followUps(first: 2) { edges { node { " + nested + " } } } }"
    result = await client.execute(query, tenant=pole, actor=actor())
    assert {(e["extensions"]["code"], e["extensions"]["field"]) for e in result["errors"]} == {
        ("VALIDATION", field)
    }


async def test_child_family_is_batched_and_families_bound_their_children(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    """``Child.family``: the families of a page's children in one statement (7 families,
    10 or 100 follow-ups); ``Family.children(last: 1)`` the youngest."""
    who = actor()
    query = """query($first: Int) { followUps(first: $first) { edges { node {
      child { family { name children(last: 1) { birthDate } } } } } } }"""
    for first in (10, 100):
        # the page with its total and children, their families, the families' youngest.
        assert len(await cost(client, db, pole, who, query, first)) == 3
    result = await client.execute(query, {"first": 100}, tenant=pole, actor=who)
    families = {
        e["node"]["child"]["family"]["name"]: e["node"]["child"]["family"]["children"]
        for e in result["data"]["followUps"]["edges"]
    }
    assert len(families) == 7
    assert all(len(children) == 1 for children in families.values())


async def test_the_total_rides_with_the_page_and_holds_past_the_end(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    """``totalCount`` comes with the page's rows (one statement); a page of none, or past
    the last row, still says how many there are."""
    who = actor()
    query = """query($first: Int, $after: String) { followUps(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage } edges { cursor } } }"""
    seen: dict[tuple[int, str | None], Any] = {}
    last = None
    for first, after in ((10, None), (0, None), (100, None)):
        result = await client.execute(
            query, {"first": first, "after": after}, tenant=pole, actor=who
        )
        seen[first, after] = result["data"]["followUps"]
        if first == 100:
            last = result["data"]["followUps"]["edges"][-1]["cursor"]
    beyond = await client.execute(query, {"first": 10, "after": last}, tenant=pole, actor=who)
    assert seen[10, None]["totalCount"] == 100 and seen[10, None]["pageInfo"]["hasNextPage"]
    assert seen[0, None] == {"totalCount": 100, "pageInfo": {"hasNextPage": True}, "edges": []}
    assert not seen[100, None]["pageInfo"]["hasNextPage"]
    assert beyond["data"]["followUps"] == {
        "totalCount": 100,
        "pageInfo": {"hasNextPage": False},
        "edges": [],
    }


@pytest.mark.parametrize(
    ("selection", "counts"),
    [
        ("edges { node { id } }", False),
        ("pageInfo { endCursor } edges { cursor }", False),
        ("totalCount", True),
        ("n: totalCount edges { cursor }", True),
        ("pageInfo { hasNextPage }", True),
        ("... on FollowUpConnection { totalCount }", True),
        ("...Counted", True),
    ],
)
async def test_the_database_counts_only_when_the_query_asks_the_total(
    client: GraphQLClient, db: Database, pole: Any, selection: str, counts: bool
) -> None:
    """A page's statement counts every matching row only when the query selects
    ``totalCount`` or ``pageInfo { hasNextPage }``, however spelled (decision 219); the
    answer is then the same as ever."""
    who = actor()
    query = f"""query {{ followUps(first: 10) {{ {selection} }} }}
      fragment Counted on FollowUpConnection {{ pageInfo {{ hasNextPage }} }}"""
    if "...Counted" not in selection:
        query = query.split("fragment")[0]
    await client.auth_headers(pole, who)
    with counting(db) as seen:
        result = await client.execute(query, tenant=pole, actor=who)
    assert "errors" not in result, result
    (page,) = seen
    assert ("count(" in page.lower()) is counts, page
    answer = result["data"]["followUps"]
    assert answer.get("totalCount", answer.get("n", 100)) == 100
    assert answer.get("pageInfo", {}).get("hasNextPage", True) is True


# The comparison's nested list (benchmarks/compare.py).
BENCH_NESTED = """query($first: Int) { followUps(first: $first) { edges { node {
  id openedOn status { value }
  child { id firstName birthDate }
  structures { id name }
  interventions { id happenedOn durationMinutes kind { value } } } } } }"""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # BEGIN, the caller (session, person, pole entered, membership), the page, ROLLBACK
        (IDS, ["BEGIN", "SELECT", "SELECT", "ROLLBACK"]),
        # ... the page with the children, the file's structures, interventions, the
        # audit, COMMIT
        (BENCH_NESTED, ["BEGIN", *["SELECT"] * 4, "INSERT", "COMMIT"]),
    ],
    ids=["ids", "nested"],
)
async def test_a_whole_request_costs_a_fixed_handful_of_statements(
    client: GraphQLClient, db: Database, pole: Any, query: str, expected: list[str]
) -> None:
    """Everything one request sends, authentication and audit included: the caller in
    one statement that also enters the pole on PostgreSQL (no set_config of its own),
    the same for 10 and 100 rows (docs/decisions.md, 116)."""
    who = actor()
    for first in (10, 100):
        await client.auth_headers(pole, who)
        with every_statement(db) as seen:
            result = await client.execute(query, {"first": first}, tenant=pole, actor=who)
        assert "errors" not in result, result
        assert len(result["data"]["followUps"]["edges"]) == first
        assert seen == expected, (first, seen)


DASHBOARD = (
    Path(__file__).resolve().parents[2] / "graphql" / "operations" / "Dashboard.graphql"
).read_text(encoding="utf-8")


async def test_the_dashboard_reads_each_list_in_one_statement(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    """The home screen's operation (the benchmark's load test): the open follow-ups with
    their children and referents in ONE statement (decision 217), the new requests in
    another, the audit of the children's names, and nothing else; the same answer as the
    loaders gave (every child and referent named)."""
    who = actor()
    await client.auth_headers(pole, who)
    with every_statement(db) as seen:
        result = await client.execute(DASHBOARD, {}, tenant=pole, actor=who)
    assert "errors" not in result, result
    assert seen == ["BEGIN", "SELECT", "SELECT", "SELECT", "INSERT", "COMMIT"], seen
    open_ = result["data"]["openFollowUps"]
    assert open_["totalCount"] == 100 and len(open_["edges"]) == 10
    assert all(e["node"]["child"]["firstName"].startswith("Enfant") for e in open_["edges"])
    assert {e["node"]["referent"]["displayName"] for e in open_["edges"]} == {"Référente"}
    async with db.session(pole.id) as session:
        reads = (
            (await session.execute(select(AuditEvent).where(AuditEvent.action == "read")))
            .scalars()
            .all()
        )
    traced = sorted((r.object_type, tuple(r.fields)) for r in reads)
    assert traced == [("Child", ("firstName",))] * 10 + [("Request", ("requesterName",))] * 10


async def test_a_kept_statement_reads_each_pole_its_own_rows(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """The same list's arguments from two poles share one statement (built once per
    arguments: decision 217): each pole still reads its own rows and children, never the
    other's, whichever asked first, page after page."""
    await fill(db, two_poles.a, 12)
    await fill(db, two_poles.b, 7)
    query = """query($after: String) { followUps(statuses: ["open"], first: 5, after: $after) {
      totalCount edges { cursor node { id child { id firstName } } } } }"""
    seen: dict[str, set[str]] = {}
    for pole, total in ((two_poles.a, 12), (two_poles.b, 7), (two_poles.a, 12)):
        who, after, ids = actor(), None, set()
        while True:
            result = await client.execute(query, {"after": after}, tenant=pole, actor=who)
            page = result["data"]["followUps"]
            assert page["totalCount"] == total, result
            ids |= {e["node"]["id"] for e in page["edges"]}
            ids |= {e["node"]["child"]["id"] for e in page["edges"]}
            if len(page["edges"]) < 5:
                break
            after = page["edges"][-1]["cursor"]
        assert len(ids) == 2 * total
        seen.setdefault(str(pole.id), set()).update(ids)
    assert not seen[str(two_poles.a.id)] & seen[str(two_poles.b.id)]


async def test_the_page_prefetches_what_fragments_select_and_nothing_else(
    client: GraphQLClient, db: Database, pole: Any
) -> None:
    """The follow-ups page loads ahead the nested fields its nodes select, through inline
    or named fragments too (decision 117): the same answer and statements as spelled
    out, and a field selected nowhere is not read."""
    who = actor()
    plain = """query($first: Int) { followUps(first: $first) { edges { node { id
      child { firstName } interventions { happenedOn } } } } }"""
    fragments = """query($first: Int) { followUps(first: $first) { edges { node { id
      ... on FollowUp { child { firstName } } ...Timeline } } } }
      fragment Timeline on FollowUp { interventions { happenedOn } }"""
    answers = []
    for query in (plain, fragments):
        # the page with its total and the children, the interventions.
        assert len(await cost(client, db, pole, who, query, 10)) == 2
        answers.append(await client.execute(query, {"first": 10}, tenant=pole, actor=who))
    assert answers[0] == answers[1] and "errors" not in answers[0]
    # An argument on the nested list: the field asks its own bound, nothing loaded twice.
    bounded_query = plain.replace("interventions {", "interventions(last: 1) {")
    assert len(await cost(client, db, pole, who, bounded_query, 10)) == 2
