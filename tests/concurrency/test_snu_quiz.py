"""The SNU quiz as phones meet it: the real server over HTTP, on SQLite and PostgreSQL,
no account (plugins/snu_sessions/public.py, decisions 143 and 144).

- the page opens only for a pole that enabled the module, and a code answers only under
  its own pole's address (another pole's address: the same 404 as an unknown code);
- answers are taken only during their window; refusals are counted;
- a burst of concurrent answers beyond the cap: exactly the cap stored, the rest refused
  and counted, none lost;
- one answer per pairing code and phase; an unknown code is for the young person to fix,
  with the answers kept.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from core.db import migrate
from core.plugins.host import PluginHost
from core.plugins.migrations import targets
from core.plugins.models import TenantPlugin
from core.settings import Settings
from plugins.snu_sessions import quiz
from plugins.snu_sessions.models import Group, QuizResponse, QuizWindow, Session
from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, ItemKind
from tests.concurrency.conftest import LiveDatabase
from tests.conftest import DbUrls, make_tenant

pytestmark = [pytest.mark.concurrency, pytest.mark.usefixtures("snu_tables")]

BURST, CAP = 24, 10


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def snu_tables(server_urls: DbUrls) -> None:
    """The package's database has core's tables; the plugins' come with their own
    migrations (core is already at head: only theirs run), the runtime role granted."""
    host = PluginHost.from_settings(Settings.from_env({}))
    await migrate.upgrade(server_urls.owner, targets=targets(host))


async def _pole(live: LiveDatabase, *, enabled: bool = True) -> Any:
    pole = await make_tenant(live.db, "62")
    if enabled:
        # As the admin mutation leaves it (its events need the app's sink, not ours).
        async with live.db.session(pole.id) as session:
            session.add(
                TenantPlugin(
                    plugin="snu_sessions",
                    enabled=True,
                    enabled_at=dt.datetime.now(dt.UTC),
                    source="admin",
                    version="1.0.0",
                )
            )
            await session.commit()
    return pole


async def _quiz(
    live: LiveDatabase, pole: Any, *, cap: int, before_open: dt.datetime, hours: float = 2
) -> tuple[uuid.UUID, str]:
    """A session of ``pole`` with its quiz scheduled; (session id, link code)."""
    async with live.db.session(pole.id) as session:
        row = Session(
            centre="Centre SNU de test",
            commune_insee="62193",
            starts_on=before_open.date(),
            ends_on=before_open.date(),
            methods=["quiz"],
            objectives=[],
        )
        session.add(row)
        await session.flush()
        session.add(Group(session_id=row.id, name="G1", size=cap))
        close = before_open + dt.timedelta(hours=hours)
        await quiz.schedule(
            session,
            row.id,
            before=quiz.WindowInput(before_open, close),
            after=quiz.WindowInput(close, close + dt.timedelta(hours=hours)),
            cap=cap,
            actor="tests",
        )
        await session.commit()
        assert row.link_code is not None
        return row.id, row.link_code


def _answers(phase: str, **extra: str) -> dict[str, str]:
    form = {"phase": phase, **extra}
    for item in DEFAULT_QUIZ:
        form[item.key] = str(item.right if item.kind is ItemKind.KNOWLEDGE else 3)
    return form


async def _window(live: LiveDatabase, pole: Any, session_id: uuid.UUID, phase: str) -> QuizWindow:
    async with live.db.session(pole.id) as session:
        found = await session.scalar(
            select(QuizWindow).where(QuizWindow.session_id == session_id, QuizWindow.phase == phase)
        )
        assert found is not None
        return found


async def _stored(live: LiveDatabase, pole: Any, session_id: uuid.UUID, phase: str) -> int:
    async with live.db.session(pole.id) as session:
        return int(
            await session.scalar(
                select(func.count()).where(
                    QuizResponse.session_id == session_id, QuizResponse.phase == phase
                )
            )
            or 0
        )


def _client(live: LiveDatabase) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    return httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60)


async def test_a_code_opens_only_under_its_own_poles_address(live: LiveDatabase) -> None:
    mine, other = await _pole(live), await _pole(live)
    off = await _pole(live, enabled=False)
    now = dt.datetime.now(dt.UTC)
    _, code = await _quiz(live, mine, cap=30, before_open=now - dt.timedelta(minutes=5))
    async with _client(live) as client:
        page = await client.get(f"/p/{mine.slug}/snu_sessions/{code}")
        assert page.status_code == 200
        assert 'lang="fr"' in page.text and "Questionnaire du début" in page.text
        assert "Parmi les handicaps, quelle part ne se voit pas" in page.text
        assert "set-cookie" not in page.headers
        # Lower case and a dash, as typed on a phone, reach the same quiz.
        typed = await client.get(f"/p/{mine.slug}/snu_sessions/{code[:3].lower()}-{code[3:]}")
        assert typed.status_code == 200

        unknown = await client.get(f"/p/{mine.slug}/snu_sessions/AAAAAA")
        under_other = await client.get(f"/p/{other.slug}/snu_sessions/{code}")
        assert unknown.status_code == under_other.status_code == 404
        assert under_other.text == unknown.text  # tells nothing about the other pole
        posted = await client.post(f"/p/{other.slug}/snu_sessions/{code}", data=_answers("before"))
        assert posted.status_code == 404
        for path in (
            f"/p/{off.slug}/snu_sessions/{code}",
            f"/p/pas-un-pole-{uuid.uuid4().hex[:6]}/snu_sessions/{code}",
            f"/p/{mine.slug}/snu_sessions/{code}/autre-chose",
        ):
            refused = await client.get(path)
            assert refused.status_code == 404 and "Page introuvable" in refused.text, path


async def test_answers_outside_the_window_are_refused_and_counted(live: LiveDatabase) -> None:
    pole = await _pole(live)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    session_id, code = await _quiz(live, pole, cap=30, before_open=later)
    async with _client(live) as client:
        page = await client.get(f"/p/{pole.slug}/snu_sessions/{code}")
        assert page.status_code == 200 and "n'est pas ouvert en ce moment" in page.text
        for phase in ("before", "after"):
            posted = await client.post(f"/p/{pole.slug}/snu_sessions/{code}", data=_answers(phase))
            assert posted.status_code == 409 and "pas ouvert" in posted.text
    assert await _stored(live, pole, session_id, "before") == 0
    assert (await _window(live, pole, session_id, "before")).refused_closed == 1
    assert (await _window(live, pole, session_id, "after")).refused_closed == 1


async def test_a_burst_beyond_the_cap_stores_exactly_the_cap(live: LiveDatabase) -> None:
    pole = await _pole(live)
    now = dt.datetime.now(dt.UTC)
    session_id, code = await _quiz(live, pole, cap=CAP, before_open=now - dt.timedelta(minutes=5))
    async with _client(live) as client:
        answers = await asyncio.gather(
            *(
                client.post(f"/p/{pole.slug}/snu_sessions/{code}", data=_answers("before"))
                for _ in range(BURST)
            )
        )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * CAP + [429] * (BURST - CAP), statuses
    assert await _stored(live, pole, session_id, "before") == CAP
    window = await _window(live, pole, session_id, "before")
    assert (window.accepted, window.refused_full) == (CAP, BURST - CAP)


async def test_one_answer_per_pairing_code_and_phase(live: LiveDatabase) -> None:
    pole = await _pole(live)
    now = dt.datetime.now(dt.UTC)
    # The « before » window closed a minute ago; the « after » one is open now.
    session_id, code = await _quiz(
        live, pole, cap=30, before_open=now - dt.timedelta(hours=2, minutes=1)
    )
    url = f"/p/{pole.slug}/snu_sessions/{code}"
    async with _client(live) as client:
        # Staff moved the windows to let one young person answer « before » late.
        async with live.db.session(pole.id) as session:
            for window in (await session.execute(select(QuizWindow))).scalars():
                if window.phase == "before":
                    window.closes_at = now + dt.timedelta(minutes=30)
                    window.opens_at = now - dt.timedelta(hours=1)
                else:
                    window.opens_at = now + dt.timedelta(minutes=30)
                    window.closes_at = now + dt.timedelta(hours=3)
            await session.commit()
        first = await client.post(url, data=_answers("before", garder_un_code="oui"))
        assert first.status_code == 200, first.text
        kept = re.search(r'<p class="code"[^>]*>([A-Z0-9]{6})</p>', first.text)
        assert kept is not None, first.text
        pairing = kept.group(1)

        async with live.db.session(pole.id) as session:
            for window in (await session.execute(select(QuizWindow))).scalars():
                if window.phase == "before":
                    window.opens_at = now - dt.timedelta(hours=2)
                    window.closes_at = now - dt.timedelta(hours=1)
                else:
                    window.opens_at = now - dt.timedelta(minutes=5)
            await session.commit()

        unknown = await client.post(url, data=_answers("after", code_appariement="ZZZZZZ"))
        assert unknown.status_code == 400 and "ne correspond à aucune réponse" in unknown.text
        assert 'value="ZZZZZZ"' in unknown.text and unknown.text.count(" checked") == len(
            DEFAULT_QUIZ
        )

        typed = f"{pairing[:3].lower()} {pairing[3:]}"
        ok = await client.post(url, data=_answers("after", code_appariement=typed))
        assert ok.status_code == 200 and "Tes réponses sont enregistrées" in ok.text
        twice = await client.post(url, data=_answers("after", code_appariement=pairing))
        assert twice.status_code == 409 and "déjà été envoyée avec ce code" in twice.text
        # Without a code, the same phone may still answer (the cap is the limit then).
        anonymous = await client.post(url, data=_answers("after"))
        assert anonymous.status_code == 200

        missing = _answers("after")
        del missing["invisible"]
        incomplete = await client.post(url, data=missing)
        assert incomplete.status_code == 400 and 'href="#q-invisible"' in incomplete.text

        foreign = await client.post(
            url, data=_answers("after"), headers={"sec-fetch-site": "cross-site"}
        )
        assert foreign.status_code == 403

    assert await _stored(live, pole, session_id, "after") == 2
    window = await _window(live, pole, session_id, "after")
    assert (window.accepted, window.refused_duplicate) == (2, 1)
    async with live.db.session(pole.id) as session:
        codes = (
            await session.execute(
                select(QuizResponse.phase, QuizResponse.pairing_code).where(
                    QuizResponse.session_id == session_id
                )
            )
        ).all()
    assert sorted(codes, key=str) == sorted(
        [("before", pairing), ("after", pairing), ("after", None)], key=str
    )
