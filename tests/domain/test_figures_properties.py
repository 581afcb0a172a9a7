"""Property: over generated poles' data, every breakdown of a figure (each subset of up
to two of its dimensions, with its margins) agrees with the same figure computed by
hand from the generated rows, its total is the undimensioned figure, and the cells of a
breakdown by single-valued dimensions add up to it. Each example is a new pole in the
same database, so the earlier examples' rows are other poles' rows: none may count."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.contributions import IndicatorSpec, Period
from core.domain.casework.figures import FIGURES as CASEWORK
from core.domain.casework.models import FollowUp, Request
from core.domain.families.models import Child, Family
from core.domain.outreach.figures import FIGURES as OUTREACH
from core.domain.outreach.models import AwarenessSession
from core.plugins.figures import compute_figure
from core.tenancy.config import DEFAULT_AGE_BRACKETS
from core.tenancy.database import Database
from tests.conftest import DbUrls, make_tenant

COMMUNES = {"62119": "200072460", "62498": "246200364", "62041": "200033579"}
NEEDS = ["motor", "autism", "language"]
SUBJECTS = ["place_search", "mdph", "other"]
D = dt.date

dates = st.dates(D(2023, 6, 1), D(2026, 6, 30))


@dataclass(frozen=True)
class GenChild:
    birth: dt.date
    commune: str
    needs: tuple[str, ...]
    follow_ups: tuple[tuple[dt.date, int | None], ...]  # opened, days until closing


children = st.lists(
    st.builds(
        GenChild,
        birth=st.dates(D(2006, 1, 1), D(2025, 12, 31)),
        commune=st.sampled_from(sorted(COMMUNES)),
        needs=st.lists(st.sampled_from(NEEDS), unique=True, max_size=2).map(tuple),
        follow_ups=st.lists(
            st.tuples(dates, st.none() | st.integers(0, 500)), min_size=1, max_size=2
        ).map(tuple),
    ),
    max_size=8,
)
requests = st.lists(
    st.tuples(
        dates,
        st.sampled_from(["family", "eaje", "other"]),
        st.lists(st.sampled_from(SUBJECTS), unique=True, max_size=2),
        st.sampled_from(["phone", "email"]),
    ),
    max_size=8,
)
sessions = st.lists(
    st.tuples(
        dates,
        st.sampled_from(sorted(COMMUNES)),
        st.sampled_from(["early_childhood", "youth"]),
        st.integers(1, 3),
        st.integers(0, 30),
    ),
    max_size=6,
)
periods = st.one_of(
    st.integers(2023, 2026).map(Period.year),
    st.tuples(dates, st.integers(1, 400)).map(
        lambda p: Period(p[0], p[0] + dt.timedelta(days=p[1]))
    ),
)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _bracket(age: int) -> str:
    bounds = list(DEFAULT_AGE_BRACKETS)
    for low, high in itertools.pairwise(bounds):
        if age < high:
            return f"{low}-{high - 1}"
    return f"{bounds[-1]}-"


def expected_facts(
    gen_children: list[GenChild], gen_requests: list[Any], gen_sessions: list[Any], period: Period
) -> dict[str, list[dict[str, Any]]]:
    """The facts of each figure, computed by hand: one dict per (unit, value of a
    multiple dimension)."""
    facts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for index, child in enumerate(gen_children):
        references = [
            max(opened, period.start)
            for opened, days in child.follow_ups
            if opened < period.end
            and (days is None or opened + dt.timedelta(days=days) >= period.start)
        ]
        if not references:
            continue
        row = {
            "unit": ("child", index),
            "age_bracket": _bracket(_age(child.birth, min(references))),
            "commune": child.commune,
            "epci": COMMUNES[child.commune],
        }
        for need in child.needs or (None,):
            facts["casework.children_followed"].append({**row, "needs_profile": need})
    for index, (received, kind, subjects, channel) in enumerate(gen_requests):
        if period.start <= received < period.end:
            for subject in subjects or [None]:
                facts["casework.requests"].append(
                    {
                        "unit": ("request", index),
                        "requester_kind": kind,
                        "subject": subject,
                        "channel": channel,
                    }
                )
    for index, (held, commune, audience, half_days, participants) in enumerate(gen_sessions):
        if period.start <= held < period.end:
            row = {
                "unit": ("session", index),
                "value": participants,
                "commune": commune,
                "epci": COMMUNES[commune],
                "audience": audience,
                "duration": str(half_days),
                "session_kind": "territorial",
            }
            facts["outreach.sessions"].append(row)
            facts["outreach.participants"].append(row)
    return facts


def aggregate(
    spec: IndicatorSpec, rows: list[dict[str, Any]], dims: tuple[str, ...]
) -> dict[tuple[Any, ...], float]:
    distinct = {(r["unit"], tuple(r[d] for d in dims), r.get("value")) for r in rows}
    cells: dict[tuple[Any, ...], float] = defaultdict(float)
    for _unit, key, value in distinct:
        cells[key] += 1 if spec.measure == "count" else value
    return dict(cells)


async def _check(
    db: Database,
    gen_children: list[Any],
    gen_requests: list[Any],
    gen_sessions: list[Any],
    period: Period,
) -> None:
    pole = await make_tenant(db, "62")
    async with db.session(pole.id) as session:
        family = Family(name="Famille", search_name="famille", commune_insee="62119")
        session.add(family)
        await session.flush()
        for child in gen_children:
            row = Child(
                family_id=family.id,
                first_name="Enfant",
                birth_date=child.birth,
                commune_insee=child.commune,
                needs_profile=list(child.needs),
            )
            session.add(row)
            await session.flush()
            for opened, days in child.follow_ups:
                closed = None if days is None else opened + dt.timedelta(days=days)
                session.add(
                    FollowUp(
                        child_id=row.id,
                        opened_on=opened,
                        closed_on=closed,
                        status="closed" if closed else "open",
                    )
                )
        for received, kind, subjects, channel in gen_requests:
            session.add(
                Request(
                    received_on=received,
                    channel=channel,
                    requester_kind=kind,
                    requester_name="(fictif)",
                    subjects=subjects,
                )
            )
        for held, commune, audience, half_days, participants in gen_sessions:
            session.add(
                AwarenessSession(
                    kind="territorial",
                    audience=audience,
                    commune_insee=commune,
                    held_on=held,
                    half_days=half_days,
                    participants_count=participants,
                )
            )
        await session.commit()

    facts = expected_facts(gen_children, gen_requests, gen_sessions, period)
    async with db.session(pole.id) as session:
        for spec in [*CASEWORK[:2], *OUTREACH]:
            rows = facts.get(spec.name, [])
            whole = await compute_figure(session, "core", spec, period)
            expected_total = aggregate(spec, rows, ()).get((), 0)
            assert whole.total == expected_total, spec.name
            codes = [d.code for d in spec.dimensions]
            for size in (1, 2):
                for dims in itertools.combinations(codes, size):
                    table = await compute_figure(session, "core", spec, period, dims)
                    got = {tuple(v.code for v in c.values): c.value for c in table.cells}
                    assert got == aggregate(spec, rows, dims), (spec.name, dims)
                    assert table.total == whole.total, (spec.name, dims)
                    if not any(spec.dimension(d).multiple for d in dims):  # type: ignore[union-attr]
                        assert sum(got.values()) == whole.total, (spec.name, dims)
                    for margin in table.margins:
                        sub = tuple(v.dimension for v in margin.values)
                        key = tuple(v.code for v in margin.values)
                        assert margin.value == aggregate(spec, rows, sub)[key]


# More examples in `make test-deep` (MAILLAGE_FIGURE_EXAMPLES).
EXAMPLES = int(os.environ.get("MAILLAGE_FIGURE_EXAMPLES", "6"))


def test_every_breakdown_agrees_with_the_figure(db_urls: DbUrls) -> None:
    # One database and one event loop for all examples: the engine's compiled-statement
    # cache stays warm, as it does in a running server.
    loop = asyncio.new_event_loop()
    db = db_urls.database()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(gen_children=children, gen_requests=requests, gen_sessions=sessions, period=periods)
    def check(
        gen_children: list[GenChild],
        gen_requests: list[Any],
        gen_sessions: list[Any],
        period: Period,
    ) -> None:
        loop.run_until_complete(_check(db, gen_children, gen_requests, gen_sessions, period))

    try:
        check()
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()
