"""Before/after statistics of the quiz: pure functions over numbers, no database.

The method (docs/user-guide.md, « Journées SNU » ; decision 145):

- **Paired** when enough young people kept their pairing code: for the responses whose
  code appears in both phases, each person's difference (after − before) is one
  observation; the change is the mean difference and its 95 % interval is the mean ±
  1.96 × sd / √n (sd with n − 1). For a knowledge item the difference is −1, 0 or +1
  (wrong→right counts +1), so this is the classic interval for paired proportions built
  on the discordant pairs.
- **Unpaired** otherwise, over every response of each phase:
  - a share of right answers: Newcombe's hybrid score interval (his method 10, 1998)
    from the two Wilson intervals, which stays inside [−1, 1] and behaves for shares
    near 0 or 1 where the plain Wald interval does not;
  - a mean attitude score: the difference of means ± 1.96 × √(s₁²/n₁ + s₂²/n₂) (Welch's
    standard error, normal quantile).
- **No change is shown** below the threshold (setting ``min_answers``): with fewer
  pairs than it, the paired method is not used; with fewer answers than it in either
  phase, no change at all — only the counts.

The normal quantile (1.96) rather than Student's t: the threshold keeps n at 10 or more
(t₀.₉₇₅ = 2.26 at n = 10, 2.09 at 20), and the docs say the interval is approximate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z = 1.959963984540054  # the 97.5 % quantile of the standard normal


@dataclass(frozen=True)
class Change:
    """A change after − before with its 95 % interval and the method used."""

    method: str  # "paired" or "unpaired"
    n: int  # pairs (paired) or the smaller of the two phases' counts (unpaired)
    estimate: float
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval of a proportion."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(right_before: int, n_before: int, right_after: int, n_after: int) -> Change:
    """Difference of two independent shares (after − before), Newcombe's hybrid score."""
    p1, p2 = right_before / n_before, right_after / n_after
    l1, u1 = wilson(right_before, n_before)
    l2, u2 = wilson(right_after, n_after)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Change("unpaired", min(n_before, n_after), d, max(-1.0, low), min(1.0, high))


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def paired(differences: Sequence[float]) -> Change:
    """Mean of paired differences ± z × sd/√n."""
    n = len(differences)
    mean, sd = _mean_sd(differences)
    half = Z * sd / math.sqrt(n)
    return Change("paired", n, mean, mean - half, mean + half)


def welch(before: Sequence[float], after: Sequence[float]) -> Change:
    """Difference of two independent means (after − before), Welch's standard error."""
    m1, s1 = _mean_sd(before)
    m2, s2 = _mean_sd(after)
    se = math.sqrt(s1 * s1 / len(before) + s2 * s2 / len(after))
    d = m2 - m1
    return Change("unpaired", min(len(before), len(after)), d, d - Z * se, d + Z * se)


def share_change(
    before: Sequence[int],
    after: Sequence[int],
    pairs: Sequence[tuple[int, int]],
    threshold: int,
) -> Change | None:
    """The change in the share of right answers. ``before`` and ``after`` are every
    response's 0/1 (right or not), ``pairs`` the (before, after) of the paired ones."""
    if len(pairs) >= threshold:
        return paired([a - b for b, a in pairs])
    if min(len(before), len(after)) < threshold:
        return None
    return newcombe(sum(before), len(before), sum(after), len(after))


def mean_change(
    before: Sequence[float],
    after: Sequence[float],
    pairs: Sequence[tuple[float, float]],
    threshold: int,
) -> Change | None:
    """The change of a mean score (attitude), paired or unpaired as above."""
    if len(pairs) >= threshold:
        return paired([a - b for b, a in pairs])
    if min(len(before), len(after)) < threshold:
        return None
    return welch(before, after)
