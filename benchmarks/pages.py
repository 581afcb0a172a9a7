"""Page timings of the staff web app on the bench data (issue 15): « Aujourd'hui », a
family's file, and a follow-up's page with 50 interventions, as the first pole's
coordinator, through the real app (ASGI), each page a GET of the whole HTML.

The statements of a page are counted with its list short and long (the follow-up
with 10 interventions, then with 50; the family's file and the home page as the bench
data made them): a count that grows with the list is an N+1. The latency is the
page's p50 / p95 over K requests (the target: p95 ≤ 150 ms each), next to the median
CPU time of this process per request (the app and SQLite's thread; not the PostgreSQL
server): on a shared, loaded machine the wall times swell with the load, the CPU time
much less, so before/after comparisons read the CPU column first.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from benchmarks.generator import TODAY, GeneratedPole
from core.app.app import create_app
from core.auth.models import User
from core.testing.accounts import access_token

TARGET_P95_MS = 150.0
OPEN = """{ followUps(first: 1, statuses: ["open"]) { edges { node { id
  interventions { id } child { family { id } } } } } }"""
LOG = """mutation($input: InterventionInput!) { logIntervention(input: $input) {
  errors { code field message } } }"""


@dataclass
class PageFigure:
    backend: str
    name: str
    statements: tuple[int, ...]
    p50_ms: float
    p95_ms: float
    cpu_ms: float = 0.0

    @property
    def grows(self) -> bool:
        return len(set(self.statements)) > 1


async def measure(backend: Any, pole: GeneratedPole, runs: int) -> list[PageFigure]:
    """``backend`` is a benchmarks.lists Backend (its db, settings and kind)."""
    # benchmarks.lists runs this module: imported here, not at the top (no cycle).
    from benchmarks.lists import StatementCounter, _percentile

    app = create_app(backend.settings, backend.db)
    async with backend.db.reference_session() as session:
        coordinator = (
            await session.execute(select(User).where(User.id == pole.coordinator_id))
        ).scalar_one()
    token = await access_token(app.state.auth, coordinator, pole.tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def graphql(query: str, **variables: Any) -> dict[str, Any]:
            answer = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body = answer.json()
            if answer.status_code != 200 or body.get("errors"):
                raise RuntimeError(f"{answer.status_code} {body}")
            return body["data"]  # type: ignore[no-any-return]

        async def page(path: str) -> None:
            answer = await client.get(path, headers=headers)
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")

        async def counted(path: str) -> int:
            await page(path)  # warm-up: compiled statements, templates, pool
            with StatementCounter(backend.db) as counter:
                await page(path)
            return counter.count

        async def timed(path: str) -> tuple[float, float, float]:
            """p50 and p95 wall ms, and the median CPU ms of this process per request."""
            samples, cpu = [], []
            for _ in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                await page(path)
                samples.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            return (
                statistics.median(samples) * 1000,
                _percentile(samples, 0.95) * 1000,
                statistics.median(cpu) * 1000,
            )

        found = (await graphql(OPEN))["followUps"]["edges"]
        if not found:
            raise RuntimeError("the bench data has no open follow-up")
        follow_up = found[0]["node"]
        follow_up_path = f"/suivis/{follow_up['id']}"

        async def interventions_up_to(total: int) -> None:
            have = len((await graphql(OPEN))["followUps"]["edges"][0]["node"]["interventions"])
            for _ in range(max(total - have, 0)):
                answer = await graphql(
                    LOG,
                    input={
                        "followUpId": follow_up["id"],
                        "kind": "observation",
                        "happenedOn": TODAY.isoformat(),
                        "durationMinutes": 60,
                        "notes": "Observation au moment du repas (banc d'essai).",
                    },
                )
                if answer["logIntervention"]["errors"]:
                    raise RuntimeError(str(answer["logIntervention"]["errors"]))

        await interventions_up_to(10)
        short = await counted(follow_up_path)
        await interventions_up_to(50)
        long = await counted(follow_up_path)
        pages = [
            ("Aujourd'hui", "/", (await counted("/"),)),
            (
                "dossier d'une famille",
                f"/familles/{follow_up['child']['family']['id']}",
                None,
            ),
            ("suivi, 50 interventions", follow_up_path, (short, long)),
        ]
        figures = []
        for name, path, statements in pages:
            statements = statements or (await counted(path),)
            p50, p95, cpu = await timed(path)
            figures.append(PageFigure(backend.kind, name, statements, p50, p95, cpu))
    return figures


def table(figures: list[PageFigure]) -> str:
    lines = [
        f"{'backend':8}  {'page':26}  {'SQL/page':>12}  {'p50 ms':>7}  {'p95 ms':>7}  {'CPU ms':>7}"
    ]
    for f in figures:
        sql = " / ".join(str(s) for s in f.statements) + ("  GROWS" if f.grows else "")
        flag = "" if f.p95_ms <= TARGET_P95_MS else f"  > {TARGET_P95_MS:.0f} ms"
        lines.append(
            f"{f.backend:8}  {f.name:26}  {sql:>12}  {f.p50_ms:7.1f}  {f.p95_ms:7.1f}  "
            f"{f.cpu_ms:7.1f}{flag}"
        )
    return "\n".join(lines)
