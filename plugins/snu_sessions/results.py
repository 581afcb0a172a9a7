"""The quiz's results, for one session or for a year of sessions: one statement reads
every answer in scope, then ``statistics`` does the arithmetic.

For a year, an item is pooled across sessions by its key (the sessions copied the same
default quiz) and a pair is a pairing code within one session.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.snu_sessions import statistics
from plugins.snu_sessions.models import QuizAnswer, QuizItem, QuizResponse, Session
from plugins.snu_sessions.vocabulary import ItemKind, Phase

BEFORE, AFTER = Phase.BEFORE.value, Phase.AFTER.value


@dataclass(frozen=True)
class ItemResult:
    key: str
    kind: str
    text: str
    choices: Sequence[str]
    right_choice: int | None
    n_before: int
    n_after: int
    # Share of right answers (knowledge) or mean score 1–4, higher = more inclusive
    # (attitude); None without answers in that phase.
    before: float | None
    after: float | None
    change: statistics.Change | None


@dataclass(frozen=True)
class Results:
    n_before: int
    n_after: int
    pairs: int
    threshold: int
    items: Sequence[ItemResult] = field(default_factory=list)
    # Per response: share of right answers over the knowledge items, mean attitude score.
    knowledge: statistics.Change | None = None
    knowledge_before: float | None = None
    knowledge_after: float | None = None
    attitude: statistics.Change | None = None
    attitude_before: float | None = None
    attitude_after: float | None = None


def score(kind: str, value: int, right_choice: int | None, reverse: bool) -> float:
    """What an answer counts for: 1/0 for a knowledge item, the 1–4 score (reversed for
    a reversed statement) for an attitude item."""
    if kind == ItemKind.KNOWLEDGE.value:
        return 1.0 if value == right_choice else 0.0
    return float(5 - value if reverse else value)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


async def results(
    session: AsyncSession,
    *,
    threshold: int,
    session_id: uuid.UUID | None = None,
    period: sdk.Period | None = None,
) -> Results:
    statement = (
        select(
            QuizResponse.id,
            QuizResponse.session_id,
            QuizResponse.phase,
            QuizResponse.pairing_code,
            QuizItem.key,
            QuizItem.kind,
            QuizItem.text,
            QuizItem.choices,
            QuizItem.right_choice,
            QuizItem.reverse,
            QuizItem.position,
            QuizAnswer.value,
        )
        .join(QuizAnswer, QuizAnswer.response_id == QuizResponse.id)
        .join(QuizItem, QuizItem.id == QuizAnswer.item_id)
    )
    if session_id is not None:
        statement = statement.where(QuizResponse.session_id == session_id)
    if period is not None:
        statement = statement.join(Session, Session.id == QuizResponse.session_id).where(
            Session.starts_on >= period.start, Session.starts_on < period.end
        )
    rows = (await session.execute(statement)).all()
    return compute(rows, threshold)


def compute(rows: Sequence[object], threshold: int) -> Results:
    """The results from answer rows (see ``results`` for the columns)."""
    meta: dict[str, tuple[str, str, list[str], int | None, int]] = {}
    # item key -> phase -> response id -> score
    by_item: dict[str, dict[str, dict[uuid.UUID, float]]] = defaultdict(lambda: defaultdict(dict))
    phase_of: dict[uuid.UUID, str] = {}
    pair_of: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
    for r in rows:
        (rid, sid, phase, code, key, kind, text, choices, right, reverse, position, value) = r  # type: ignore[misc]
        meta.setdefault(key, (kind, text, list(choices), right, position))
        by_item[key][phase][rid] = score(kind, value, right, reverse)
        phase_of[rid] = phase
        if code:
            pair_of[rid] = (sid, code)
    # Pairs: a (session, code) with one response in each phase.
    ends: dict[tuple[uuid.UUID, str], dict[str, uuid.UUID]] = defaultdict(dict)
    for rid, pair in pair_of.items():
        ends[pair][phase_of[rid]] = rid
    pairs = [(e[BEFORE], e[AFTER]) for e in ends.values() if BEFORE in e and AFTER in e]
    n = {p: sum(1 for v in phase_of.values() if v == p) for p in (BEFORE, AFTER)}

    items: list[ItemResult] = []
    per_response: dict[str, dict[uuid.UUID, list[float]]] = {
        ItemKind.KNOWLEDGE.value: defaultdict(list),
        ItemKind.ATTITUDE.value: defaultdict(list),
    }
    for key in sorted(meta, key=lambda k: (meta[k][4], k)):
        kind, text, choices, right, _ = meta[key]
        scores = by_item[key]
        before, after = list(scores[BEFORE].values()), list(scores[AFTER].values())
        paired_scores = [
            (scores[BEFORE][b], scores[AFTER][a])
            for b, a in pairs
            if b in scores[BEFORE] and a in scores[AFTER]
        ]
        for phase in (BEFORE, AFTER):
            for rid, value in scores[phase].items():
                per_response[kind][rid].append(value)
        if kind == ItemKind.KNOWLEDGE.value:
            change = statistics.share_change(
                [int(v) for v in before],
                [int(v) for v in after],
                [(int(b), int(a)) for b, a in paired_scores],
                threshold,
            )
        else:
            change = statistics.mean_change(before, after, paired_scores, threshold)
        items.append(
            ItemResult(
                key,
                kind,
                text,
                choices,
                right,
                len(before),
                len(after),
                _mean(before),
                _mean(after),
                change,
            )
        )

    def overall(kind: str) -> tuple[statistics.Change | None, float | None, float | None]:
        means = {rid: sum(v) / len(v) for rid, v in per_response[kind].items() if v}
        before = [m for rid, m in means.items() if phase_of[rid] == BEFORE]
        after = [m for rid, m in means.items() if phase_of[rid] == AFTER]
        paired_means = [(means[b], means[a]) for b, a in pairs if b in means and a in means]
        return (
            statistics.mean_change(before, after, paired_means, threshold),
            _mean(before),
            _mean(after),
        )

    knowledge, k_before, k_after = overall(ItemKind.KNOWLEDGE.value)
    attitude, a_before, a_after = overall(ItemKind.ATTITUDE.value)
    return Results(
        n_before=n[BEFORE],
        n_after=n[AFTER],
        pairs=len(pairs),
        threshold=threshold,
        items=items,
        knowledge=knowledge,
        knowledge_before=k_before,
        knowledge_after=k_after,
        attitude=attitude,
        attitude_before=a_before,
        attitude_after=a_after,
    )
