"""Protection of the network releases, measured (printed by `make bench`).

One year of releases for 150 poles of very different sizes (20 to 1,500 children
followed, log-uniform), each with the tables a release carries: children followed by
age bracket and by audience (and both), requests by requester kind and audience,
participants by audience and duration, referents by structure kind, satisfaction answers
by audience, families by situation — persons all — and loans and sessions, which are
not. Counts are drawn from skewed shares, so small poles have many small cells, as real
ones do. Prints the time (total wall and CPU — on a shared machine the CPU time is
the steadier figure —, per pole p50 / max), the cells hidden by primary and by
complementary suppression, and the smallest audit interval found.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Sequence

from core.network.protection import Figure, ProtectedRelease, Table, protect

POLES = 150
SEED = 2025

AGES = ("0-2 ans", "3-5 ans", "6-11 ans", "12-17 ans")
AUDIENCES = ("EAJE", "ACM", "école", "assistant maternel")
REQUESTERS = ("famille", "structure", "partenaire", "autre")
SESSION_AUDIENCES = ("petite enfance", "jeunesse")
DURATIONS = ("½ journée", "1 jour", "2 jours")
STRUCTURES = ("EAJE", "ACM", "RPE", "CCAS", "école")
ANSWERS = ("très satisfait", "satisfait", "peu satisfait", "pas satisfait")
SITUATIONS = ("couple", "parent seul", "autre")
BORROWERS = ("ACM", "EAJE", "RPE", "CCAS", "famille")

FIGURES = [
    Figure("enfants_suivis", "Enfants suivis", persons=True),
    Figure("demandes", "Demandes reçues", persons=True),
    Figure("participants", "Participants aux sessions", persons=True),
    Figure("referents", "Référents formés", persons=True),
    Figure("satisfaction", "Réponses au questionnaire de satisfaction", persons=True),
    Figure("familles", "Familles accompagnées", persons=True),
    Figure("prets", "Prêts de mallettes", persons=False),
    Figure("sessions", "Sessions de sensibilisation", persons=False),
]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` with skewed shares (a few large, several small)."""
    weights = [rng.random() ** 2 + 0.02 for _ in range(parts)]
    scale = sum(weights)
    counts = [int(total * w / scale) for w in weights]
    for _ in range(total - sum(counts)):
        counts[rng.randrange(parts)] += 1
    return counts


def _joint(
    rng: random.Random, total: int, rows: Sequence[str], columns: Sequence[str]
) -> dict[tuple[str, str], int]:
    counts = _split(rng, total, len(rows) * len(columns))
    cells = [(r, c) for r in rows for c in columns]
    return dict(zip(cells, counts, strict=True))


def _margin(cells: dict[tuple[str, str], int], axis: int) -> dict[tuple[str, ...], int]:
    found: dict[tuple[str, ...], int] = {}
    for coords, count in cells.items():
        found[(coords[axis],)] = found.get((coords[axis],), 0) + count
    return found


def pole_tables(rng: random.Random) -> list[Table]:
    children = round(math.exp(rng.uniform(math.log(20), math.log(1500))))
    followed = _joint(rng, children, AGES, AUDIENCES)
    requests = _joint(rng, round(children * rng.uniform(0.9, 1.3)), REQUESTERS, AUDIENCES)
    participants = _joint(
        rng, round(children * rng.uniform(0.3, 1.5)), SESSION_AUDIENCES, DURATIONS
    )
    sessions = _joint(rng, max(1, children // 12), SESSION_AUDIENCES, DURATIONS)
    satisfaction = _joint(rng, round(children * rng.uniform(0.1, 0.4)), ANSWERS, SESSION_AUDIENCES)
    referents = dict(zip(((s,) for s in STRUCTURES), _split(rng, children // 6, 5), strict=True))
    families = dict(
        zip(((s,) for s in SITUATIONS), _split(rng, round(children * 0.8), 3), strict=True)
    )
    loans = dict(zip(((b,) for b in BORROWERS), _split(rng, children // 3, 5), strict=True))
    return [
        Table("enfants_suivis", (), {(): children}),
        Table("enfants_suivis", ("age",), _margin(followed, 0)),
        Table("enfants_suivis", ("public",), _margin(followed, 1)),
        Table("enfants_suivis", ("age", "public"), followed),
        Table("demandes", ("demandeur",), _margin(requests, 0)),
        Table("demandes", ("demandeur", "public"), requests),
        Table("participants", ("public", "duree"), participants),
        Table("sessions", ("public", "duree"), sessions),
        Table("satisfaction", ("reponse", "public"), satisfaction),
        Table("referents", ("structure",), referents),
        Table("familles", ("situation",), families),
        Table("prets", ("emprunteur",), loans),
    ]


def run(poles: int = POLES) -> list[ProtectedRelease]:
    rng = random.Random(SEED)
    releases = [pole_tables(rng) for _ in range(poles)]
    times: list[float] = []
    protected: list[ProtectedRelease] = []
    started, cpu = time.perf_counter(), time.process_time()
    for tables in releases:
        t = time.perf_counter()
        protected.append(protect(FIGURES, tables))
        times.append(time.perf_counter() - t)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    cells = sum(r.figures.cells for r in protected)
    primary = sum(r.figures.primary for r in protected)
    secondary = sum(r.figures.secondary for r in protected)
    smallest = min(
        (r.figures.smallest_interval for r in protected if r.figures.smallest_interval),
        default=None,
    )
    print(
        f"network releases protected, {poles} poles × 1 year (k = 11): {elapsed:.1f} s "
        f"({cpu:.1f} s CPU; per pole p50 {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms); {cells} cells, {primary} hidden by primary and "
        f"{secondary} by complementary suppression, smallest audit interval {smallest:g}"
    )
    return protected


if __name__ == "__main__":
    run()
