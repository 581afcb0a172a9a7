"""Core's figures with dimensions through the real API: a known year entered in two
poles, every figure's cells (codes and labels), margins and totals; the age rule; the
pole's brackets; no cell counts another pole's rows; the statement count does not grow
with the data; satisfaction agrees with the questionnaire results; bad requests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import event, select, update

from core.auth.demo import mark_demo_session
from core.contributions import Period
from core.domain.casework.figures import FIGURES as CASEWORK
from core.domain.casework.models import FollowUp, Intervention, Request
from core.domain.families.models import Child, Family
from core.domain.kits.models import Kit, KitLoan, KitTrip
from core.domain.outreach.models import AwarenessSession, OutreachEvent
from core.domain.questionnaires.demo import seed_questionnaires
from core.domain.questionnaires.models import Questionnaire
from core.domain.structures.models import Structure
from core.plugins.figures import compute_figure
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

FIGURE = """query($name: String!, $dims: [String!], $year: Int, $start: Date, $end: Date) {
  figure(name: $name, dimensions: $dims, year: $year, start: $start, end: $end) {
    name title unit measure countsPersons start end total
    dimensions { code title coarse multiple }
    cells { values { dimension code label } value }
    margins { values { dimension code label } value }
  } }"""

BETHUNE, LENS, ARRAS = "62119", "62498", "62041"
CA_BETHUNE, CA_LENS = "200072460", "246200364"
D = dt.date


async def figure(client: GraphQLClient, pole: Any, name: str, *dims: str, **period: Any) -> Any:
    variables = {"name": name, "dims": list(dims), **(period or {"year": 2025})}
    result = await client.execute(FIGURE, variables, tenant=pole)
    assert "errors" not in result, result
    return result["data"]["figure"]


def cells(table: dict[str, Any]) -> dict[tuple[Any, ...], float]:
    """Cells as {(code, …): value}."""
    return {tuple(v["code"] for v in c["values"]): c["value"] for c in table["cells"]}


def labelled(table: dict[str, Any]) -> dict[tuple[str, ...], float]:
    return {tuple(v["label"] for v in c["values"]): c["value"] for c in table["cells"]}


async def children(db: Database, pole: Tenant, commune: str = BETHUNE) -> dict[str, uuid.UUID]:
    """Five children and their follow-ups; three are followed in 2025."""
    async with db.session(pole.id) as session:
        family = Family(
            name="Famille Fictive", search_name="famille fictive", commune_insee=commune
        )
        session.add(family)
        await session.flush()
        rows = {
            # name: (birth, commune, needs, follow-ups [(opened, closed)])
            "leo": (D(2022, 6, 15), BETHUNE, ["motor", "language"], [(D(2024, 9, 1), None)]),
            "ines": (D(2019, 3, 1), LENS, [], [(D(2025, 5, 10), None)]),
            "tom": (
                D(2012, 1, 10),
                LENS,
                ["autism"],
                [(D(2023, 1, 1), D(2025, 2, 1)), (D(2025, 6, 1), None)],
            ),
            "zoe": (D(2021, 1, 1), ARRAS, ["motor"], [(D(2023, 1, 1), D(2024, 12, 31))]),
            "noa": (D(2020, 1, 1), ARRAS, [], [(D(2026, 1, 5), None)]),
        }
        ids = {}
        for name, (born, insee, needs, follow_ups) in rows.items():
            child = Child(
                family_id=family.id,
                first_name=name.title(),
                birth_date=born,
                commune_insee=insee,
                needs_profile=needs,
            )
            session.add(child)
            await session.flush()
            ids[name] = child.id
            for opened, closed in follow_ups:
                session.add(
                    FollowUp(
                        child_id=child.id,
                        opened_on=opened,
                        closed_on=closed,
                        status="closed" if closed else "open",
                        outcome="other" if closed else None,
                    )
                )
        await session.commit()
        return ids


async def activity(db: Database, pole: Tenant) -> None:
    """Requests, interventions, kit loans and trips, sessions of 2025 (and a few of
    2024, which 2025 must not count)."""
    async with db.session(pole.id) as session:
        creche = Structure(
            name="Crèche Les Lutins",
            search_name="creche les lutins",
            kind="eaje",
            commune_insee=BETHUNE,
        )
        family = Family(name="Famille Prêt", search_name="famille pret", commune_insee=LENS)
        session.add_all([creche, family])
        await session.flush()
        child = Child(
            family_id=family.id, first_name="Lou", birth_date=D(2023, 1, 1), commune_insee=LENS
        )
        session.add(child)
        await session.flush()
        follow_up = FollowUp(child_id=child.id, opened_on=D(2024, 1, 1), status="open")
        session.add(follow_up)
        for received, kind, subjects, channel in (
            (D(2025, 3, 3), "family", ["place_search", "mdph"], "phone"),
            (D(2025, 10, 5), "eaje", ["professional_question"], "email"),
            (D(2024, 12, 31), "family", ["other"], "phone"),
        ):
            session.add(
                Request(
                    received_on=received,
                    channel=channel,
                    requester_kind=kind,
                    requester_name="(fictif)",
                    subjects=subjects,
                )
            )
        await session.flush()
        for day, kind, where in (
            (D(2025, 2, 1), "observation", creche.id),
            (D(2025, 3, 1), "observation", None),
            (D(2025, 4, 1), "home_visit", None),
            (D(2024, 4, 1), "home_visit", creche.id),
        ):
            session.add(
                Intervention(
                    follow_up_id=follow_up.id, kind=kind, happened_on=day, structure_id=where
                )
            )
        sensory = Kit(name="Malle sensorielle", search_name="malle sensorielle", theme="sensory")
        motor = Kit(name="Malle motricité", search_name="malle motricite", theme="motor")
        session.add_all([sensory, motor])
        await session.flush()
        loans = []
        for kit, borrower, status, departed in (
            (sensory, "eaje", "returned", D(2025, 2, 1)),
            (sensory, "family", "out", D(2025, 4, 1)),
            (motor, "eaje", "cancelled", None),
            (motor, "eaje", "requested", None),
            (motor, "eaje", "checked", D(2024, 11, 2)),
        ):
            start = departed or D(2025, 6, 1)
            loan = KitLoan(
                kit_id=kit.id,
                starts_on=start,
                ends_on=start + dt.timedelta(days=21),
                borrower_kind=borrower,
                status=status,
                departed_on=departed,
                returned_on=departed + dt.timedelta(days=20)
                if departed and status != "out"
                else None,
                structure_id=creche.id if borrower == "eaje" else None,
                family_id=family.id if borrower == "family" else None,
            )
            session.add(loan)
            loans.append(loan)
        await session.flush()
        staff = await _any_user(session)
        for loan, kind, day, km in (
            (loans[0], "delivery", D(2025, 2, 1), 12.5),
            (loans[0], "collection", D(2025, 3, 1), 12.5),
            (loans[1], "delivery", D(2025, 4, 1), 30.0),
            (loans[4], "delivery", D(2024, 11, 2), 99.0),
        ):
            session.add(
                KitTrip(loan_id=loan.id, kind=kind, happened_on=day, staff_user_id=staff, km=km)
            )
        for insee, audience, half_days, participants, held in (
            (BETHUNE, "early_childhood", 1, 12, D(2025, 3, 10)),
            (LENS, "youth", 2, 8, D(2025, 5, 10)),
            (LENS, "early_childhood", 1, 5, D(2025, 9, 10)),
            (LENS, "early_childhood", 1, 40, D(2024, 9, 10)),
        ):
            session.add(
                AwarenessSession(
                    kind="territorial",
                    audience=audience,
                    commune_insee=insee,
                    held_on=held,
                    half_days=half_days,
                    participants_count=participants,
                )
            )
        for kind, insee, reached, held in (
            ("forum", LENS, 120, D(2025, 4, 5)),
            ("stand", LENS, 30, D(2025, 6, 5)),
            ("forum", BETHUNE, 80, D(2024, 6, 5)),
        ):
            session.add(
                OutreachEvent(kind=kind, commune_insee=insee, held_on=held, people_reached=reached)
            )
        await session.commit()


async def _any_user(session: Any) -> uuid.UUID:
    from core.auth.models import User

    user = User(email=f"trajets-{uuid.uuid4().hex[:8]}@example.test", display_name="Trajets")
    session.add(user)
    await session.flush()
    return user.id


async def test_children_followed_by_age_commune_epci_and_needs(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, other = two_poles.a, two_poles.b
    await children(db, pole)
    await children(db, other)  # the same families in the other pole: never counted here
    name = "casework.children_followed"

    undimensioned = await figure(client, pole, name)
    assert undimensioned["total"] == 3
    assert undimensioned["countsPersons"] is True
    assert undimensioned["cells"] == [] and undimensioned["margins"] == []

    # Ages on the reference date, not today: Léo was 2 on 1 January 2025 (followed
    # since 2024), Inès 6 when her follow-up opened in May, Tom 12 on 1 January.
    by_age = await figure(client, pole, name, "age_bracket")
    assert labelled(by_age) == {
        ("Moins de 3 ans",): 1,
        ("6 à 11 ans",): 1,
        ("12 ans et plus",): 1,
    }
    assert list(cells(by_age)) == [("0-2",), ("6-11",), ("12-",)]
    assert by_age["total"] == 3
    assert by_age["dimensions"] == [
        {"code": "age_bracket", "title": "Tranche d'âge", "coarse": True, "multiple": False}
    ]

    by_place = await figure(client, pole, name, "epci", "commune")
    assert cells(by_place) == {(CA_BETHUNE, BETHUNE): 1, (CA_LENS, LENS): 2}
    assert labelled(by_place) == {
        ("CA de Béthune-Bruay, Artois-Lys Romane", "Béthune"): 1,
        ("CA de Lens - Liévin", "Lens"): 2,
    }
    margins = {
        tuple((v["dimension"], v["code"]) for v in m["values"]): m["value"]
        for m in by_place["margins"]
    }
    assert margins == {
        (("epci", CA_BETHUNE),): 1,
        (("epci", CA_LENS),): 2,
        (("commune", BETHUNE),): 1,
        (("commune", LENS),): 2,
    }
    assert by_place["total"] == 3

    # A child may have several needs: cells do not add up, the total still counts 3.
    by_needs = await figure(client, pole, name, "needs_profile")
    assert labelled(by_needs) == {
        ("Moteur",): 1,
        ("Troubles du spectre de l'autisme",): 1,
        ("Langage et communication",): 1,
        ("Non renseigné",): 1,
    }
    assert cells(by_needs)[(None,)] == 1
    assert by_needs["total"] == 3

    # 2024: Léo (from September, aged 2), Tom (aged 11 on 1 January 2024), Zoé (3).
    year_2024 = await figure(client, pole, name, "age_bracket", year=2024)
    assert cells(year_2024) == {("0-2",): 1, ("3-5",): 1, ("6-11",): 1}
    # Any date range: the first quarter of 2025 (Tom's first follow-up closed 1 Feb).
    quarter = await figure(client, pole, name, start="2025-01-01", end="2025-04-01")
    assert quarter["total"] == 2
    assert (quarter["start"], quarter["end"]) == ("2025-01-01", "2025-04-01")


async def test_age_brackets_are_the_poles(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    await children(db, pole)
    async with db.unscoped(reason="test settings", actor="tests") as session:
        await session.execute(
            update(Tenant).where(Tenant.id == pole.id).values(settings={"age_brackets": [0, 6]})
        )
        await session.commit()
    by_age = await figure(client, pole, "casework.children_followed", "age_bracket")
    assert labelled(by_age) == {("Moins de 6 ans",): 1, ("6 ans et plus",): 2}


async def test_requests_interventions_kits_and_sessions(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, other = two_poles.a, two_poles.b
    await activity(db, pole)
    await activity(db, other)

    requests = await figure(client, pole, "casework.requests", "requester_kind")
    assert labelled(requests) == {("Famille",): 1, ("EAJE (crèche)",): 1}
    assert requests["total"] == 2
    subjects = await figure(client, pole, "casework.requests", "subject")
    assert cells(subjects) == {("place_search",): 1, ("mdph",): 1, ("professional_question",): 1}
    assert subjects["total"] == 2
    channels = await figure(client, pole, "casework.requests", "channel", "requester_kind")
    assert cells(channels) == {("phone", "family"): 1, ("email", "eaje"): 1}

    interventions = await figure(client, pole, "casework.interventions", "intervention_kind")
    assert labelled(interventions) == {("Observation sur site",): 2, ("Visite à domicile",): 1}
    where = await figure(client, pole, "casework.interventions", "structure_kind")
    assert labelled(where) == {("EAJE (crèche, multi-accueil)",): 1, ("Non renseigné",): 2}

    loans = await figure(client, pole, "kits.loans", "kit", "borrower_kind")
    assert labelled(loans) == {
        ("Malle sensorielle", "EAJE (crèche)"): 1,
        ("Malle sensorielle", "Famille"): 1,
    }
    assert loans["total"] == 2
    km = await figure(client, pole, "kits.kilometres", "borrower_kind")
    assert labelled(km) == {("EAJE (crèche)",): 25, ("Famille",): 30}
    assert (km["total"], km["measure"], km["unit"]) == (55, "sum", "km")

    sessions = await figure(client, pole, "outreach.sessions", "commune", "audience", "duration")
    assert cells(sessions) == {
        (BETHUNE, "early_childhood", "1"): 1,
        (LENS, "early_childhood", "1"): 1,
        (LENS, "youth", "2"): 1,
    }
    assert labelled(sessions)[("Lens", "Enfance-jeunesse", "1 journée")] == 1
    assert labelled(sessions)[("Béthune", "Petite enfance", "½ journée")] == 1
    margin_sets = {tuple(v["dimension"] for v in m["values"]) for m in sessions["margins"]}
    assert margin_sets == {
        ("commune", "audience"),
        ("commune", "duration"),
        ("audience", "duration"),
        ("commune",),
        ("audience",),
        ("duration",),
    }
    by_commune = {
        m["values"][0]["code"]: m["value"]
        for m in sessions["margins"]
        if [v["dimension"] for v in m["values"]] == ["commune"]
    }
    assert by_commune == {BETHUNE: 1, LENS: 2}
    assert sessions["total"] == 3
    participants = await figure(client, pole, "outreach.participants", "audience")
    assert labelled(participants) == {("Petite enfance",): 17, ("Enfance-jeunesse",): 8}
    assert (participants["total"], participants["countsPersons"]) == (25, True)
    events = await figure(client, pole, "outreach.events", "event_kind")
    assert labelled(events) == {("Forum",): 1, ("Stand",): 1}
    reached = await figure(client, pole, "outreach.people_reached", "epci")
    assert cells(reached) == {(CA_LENS,): 150}


async def test_satisfaction_agrees_with_the_questionnaire_results(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    async with db.session(pole.id) as session:
        mark_demo_session(session)  # what seed_demo does once it has checked the mode
        await seed_questionnaires(pole, session)
        await session.commit()
        satisfaction = (
            await session.execute(select(Questionnaire).where(Questionnaire.key == "satisfaction"))
        ).scalar_one()
    # The demo's answers depend on the pole (a seeded generator): compare over all years.
    every_year = {"start": "2000-01-01", "end": "2100-01-01"}
    results = await client.execute(
        """query($id: ID!) { questionnaireResults(questionnaireId: $id, start: "2000-01-01",
          end: "2100-01-01") {
            responses satisfactionRate sections { title satisfactionRate } } }""",
        {"id": str(satisfaction.id)},
        tenant=pole,
    )
    expected = results["data"]["questionnaireResults"]
    assert expected["responses"] > 0
    rate = await figure(
        client, pole, "questionnaires.satisfaction_rate", "questionnaire", "section", **every_year
    )
    by_section = {
        v[1]["label"]: c["value"]
        for c in rate["cells"]
        for v in [c["values"]]
        if v[0]["code"] == "satisfaction"
    }
    assert {t: round(r, 1) for t, r in by_section.items()} == {
        s["title"]: s["satisfactionRate"] for s in expected["sections"] if s["satisfactionRate"]
    }
    overall = next(
        m["value"]
        for m in rate["margins"]
        if [(v["dimension"], v["code"]) for v in m["values"]] == [("questionnaire", "satisfaction")]
    )
    assert round(overall, 1) == expected["satisfactionRate"]
    responses = await figure(
        client, pole, "questionnaires.responses", "questionnaire", **every_year
    )
    assert cells(responses)[("satisfaction",)] == expected["responses"]
    # The other pole answered nothing.
    other = await figure(client, two_poles.b, "questionnaires.responses", **every_year)
    assert other["total"] == 0


async def test_statements_do_not_grow_with_the_data(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured = []
    for _ in range(2):
        await children(db, pole)  # 3 more children followed each time
        await client.auth_headers(pole)
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        try:
            statements.clear()
            table = await figure(
                client, pole, "casework.children_followed", "age_bracket", "commune", "epci"
            )
            measured.append(len(statements))
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert table["total"] == 6
    assert measured[0] == measured[1], measured


async def test_a_figure_is_computed_in_a_poles_session_only(db: Database) -> None:
    spec = next(s for s in CASEWORK if s.name == "casework.requests")
    async with db.unscoped(reason="test", actor="tests") as session:
        with pytest.raises(RuntimeError, match="dans la session d'un pôle"):
            await compute_figure(session, "core", spec, Period.year(2025))


async def test_bad_requests_are_named(client: GraphQLClient, two_poles: TwoPoles) -> None:
    pole = two_poles.a

    async def errors(**variables: Any) -> list[tuple[str, str]]:
        result = await client.execute(FIGURE, variables, tenant=pole)
        return [(e["extensions"]["code"], e["extensions"].get("field")) for e in result["errors"]]

    name = "casework.children_followed"
    assert await errors(name=name, dims=["shoe_size"], year=2025) == [("VALIDATION", "dimensions")]
    assert await errors(name=name, dims=["commune", "commune"], year=2025) == [
        ("VALIDATION", "dimensions")
    ]
    assert await errors(
        name=name, dims=["commune", "epci", "age_bracket", "needs_profile"], year=2025
    ) == [("VALIDATION", "dimensions")]
    assert await errors(name=name, year=2025, start="2025-01-01") == [("VALIDATION", "year")]
    assert await errors(name=name, start="2025-01-01") == [("VALIDATION", "end")]
    assert await errors(name=name, start="2025-02-01", end="2025-01-01") == [("VALIDATION", "end")]
    assert await errors(name="nope.nothing", year=2025) == [("NOT_FOUND", "name")]
    # A disabled module's figure is not offered.
    assert await errors(name="referent_charters.new_referents", year=2025) == [
        ("NOT_FOUND", "name")
    ]


async def test_the_definitions_list_every_figure_of_the_pole(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    result = await client.execute(
        """{ figureDefinitions { name owner measure countsPersons
             dimensions { code coarse multiple } } }""",
        tenant=two_poles.a,
    )
    found = {d["name"]: d for d in result["data"]["figureDefinitions"]}
    assert {
        "casework.children_followed",
        "casework.requests",
        "casework.interventions",
        "kits.loans",
        "kits.kilometres",
        "outreach.sessions",
        "outreach.participants",
        "outreach.events",
        "outreach.people_reached",
        "questionnaires.satisfaction_rate",
        "questionnaires.responses",
    } <= set(found)
    assert not any(name.startswith("referent_charters.") for name in found)  # not enabled
    children = found["casework.children_followed"]
    assert (children["owner"], children["measure"], children["countsPersons"]) == (
        "core",
        "count",
        True,
    )
    assert children["dimensions"] == [
        {"code": "age_bracket", "coarse": True, "multiple": False},
        {"code": "commune", "coarse": False, "multiple": False},
        {"code": "epci", "coarse": False, "multiple": False},
        {"code": "needs_profile", "coarse": True, "multiple": True},
    ]


async def test_only_who_reads_indicators(client: GraphQLClient, two_poles: TwoPoles) -> None:
    from core.access.actions import Actor

    staff = Actor(subject="test:figures-staff", display_name="Équipe", roles=frozenset({"staff"}))
    result = await client.execute(
        FIGURE, {"name": "casework.requests", "year": 2025}, tenant=two_poles.a, actor=staff
    )
    assert error_codes(result) == ["FORBIDDEN"]
    listed = await client.execute("{ figureDefinitions { name } }", tenant=two_poles.a, actor=staff)
    assert error_codes(listed) == ["FORBIDDEN"]


def test_cells_by_label_are_in_the_order_a_french_reader_expects() -> None:
    # Code point order put « Béthune » after « Bully-les-Mines » and « Étaples » after
    # « Wingles » in the report's tables of communes.
    from core.contributions import Dimension
    from core.plugins.figures import DimensionValue, _order

    async def names(_session: Any, codes: list[str]) -> dict[str, str]:
        return {}

    commune = Dimension("commune", "Commune", names)
    labels = ["Wingles", "Étaples", "Bully-les-Mines", "Béthune", "Berck", "Œuilly", "Oye-Plage"]
    ordered = sorted(labels, key=lambda label: _order(commune, DimensionValue("c", label, label)))
    assert ordered == [
        "Berck", "Béthune", "Bully-les-Mines", "Étaples", "Œuilly", "Oye-Plage", "Wingles",
    ]  # fmt: skip
