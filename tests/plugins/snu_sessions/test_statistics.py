"""The quiz's statistics against values computed by hand (the formulas of
plugins/snu_sessions/statistics.py, worked out on paper below), and their invariants
over random data (hypothesis)."""

from __future__ import annotations

import math
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.snu_sessions import results, statistics

Z = 1.959963984540054


def test_wilson_interval_of_8_out_of_10() -> None:
    # p = .8, z² = 3.8415; denominator 1.38415; centre (.8 + .19207)/1.38415 = .71680;
    # half = 1.95996 × √(.016 + .0096037)/1.38415 = .22662.
    low, high = statistics.wilson(8, 10)
    assert low == pytest.approx(0.49016, abs=1e-4)
    assert high == pytest.approx(0.94332, abs=1e-4)


def test_newcombe_difference_of_two_shares() -> None:
    # Before 12/30 right (p₁ = .4, Wilson .24594–.57680), after 21/30 (p₂ = .7, Wilson
    # .52120–.83335): d = .3; low = .3 − √((.7 − .52120)² + (.57680 − .4)²) = .04862;
    # high = .3 + √((.83335 − .7)² + (.4 − .24594)²) = .50381.
    change = statistics.newcombe(12, 30, 21, 30)
    assert change.method == "unpaired" and change.n == 30
    assert change.estimate == pytest.approx(0.3)
    assert change.low == pytest.approx(0.0486, abs=1e-3)
    assert change.high == pytest.approx(0.5038, abs=1e-3)


def test_paired_differences_on_discordant_pairs() -> None:
    # 20 pairs: 8 wrong→right (+1), 2 right→wrong (−1), 10 unchanged (0).
    # mean .3; sd = √((8·.49 + 2·1.69 + 10·.09)/19) = √(8.2/19) = .65695;
    # half = 1.95996 × .65695/√20 = .28792.
    diffs = [1] * 8 + [-1] * 2 + [0] * 10
    change = statistics.paired(diffs)
    assert change.method == "paired" and change.n == 20
    assert change.estimate == pytest.approx(0.3)
    assert change.low == pytest.approx(0.3 - 0.28792, abs=1e-4)
    assert change.high == pytest.approx(0.3 + 0.28792, abs=1e-4)


def test_welch_difference_of_means() -> None:
    # before 2, 2, 3, 3 (mean 2.5, s² = 1/3), after 3, 3, 4, 4 (mean 3.5, s² = 1/3):
    # se = √(1/12 + 1/12) = .40825; half = .80015.
    change = statistics.welch([2, 2, 3, 3], [3, 3, 4, 4])
    assert change.estimate == pytest.approx(1.0)
    assert change.low == pytest.approx(1 - 0.80015, abs=1e-4)
    assert change.high == pytest.approx(1 + 0.80015, abs=1e-4)


def test_below_the_threshold_no_change_is_shown() -> None:
    assert statistics.share_change([1] * 9, [1] * 30, [], threshold=10) is None
    assert statistics.mean_change([3.0] * 30, [2.0] * 9, [], threshold=10) is None
    # Pairs below the threshold: unpaired, over every answer.
    pairs = [(0, 1)] * 9
    change = statistics.share_change([0] * 20, [1] * 20, pairs, threshold=10)
    assert change is not None and change.method == "unpaired"
    # Enough pairs: paired, whatever the unpaired counts.
    change = statistics.share_change([0] * 10, [1] * 10, [(0, 1)] * 10, threshold=10)
    assert change is not None and change.method == "paired" and change.estimate == 1.0


def _rows(answers: list[tuple[str, str | None, int]], right: int = 1) -> list[tuple]:
    """Answer rows of one knowledge item: (phase, pairing code, choice)."""
    session = uuid.uuid4()
    return [
        (uuid.uuid4(), session, phase, code, "k", "knowledge", "Q", ["a", "b"], right, False, 0, v)
        for phase, code, v in answers
    ]


def test_results_pair_responses_by_code_within_a_session() -> None:
    # Three paired people (codes A, B, C): wrong→right, wrong→right, right→right; one
    # unpaired answer in each phase. Threshold 3: paired, d = (1 + 1 + 0)/3.
    rows = _rows(
        [
            ("before", "A", 0),
            ("before", "B", 0),
            ("before", "C", 1),
            ("before", None, 1),
            ("after", "A", 1),
            ("after", "B", 1),
            ("after", "C", 1),
            ("after", None, 0),
        ]
    )
    found = results.compute(rows, threshold=3)
    assert (found.n_before, found.n_after, found.pairs) == (4, 4, 3)
    item = found.items[0]
    assert (item.before, item.after) == (0.5, 0.75)
    assert item.change is not None and item.change.method == "paired"
    assert item.change.estimate == pytest.approx(2 / 3)
    sd = math.sqrt(((1 - 2 / 3) ** 2 * 2 + (2 / 3) ** 2) / 2)
    assert item.change.high - item.change.estimate == pytest.approx(Z * sd / math.sqrt(3))


def test_a_reversed_attitude_statement_is_scored_the_other_way() -> None:
    assert results.score("attitude", 1, None, True) == 4.0
    assert results.score("attitude", 4, None, False) == 4.0
    assert results.score("knowledge", 2, 2, False) == 1.0
    assert results.score("knowledge", 0, 2, False) == 0.0


# A share: n answers (1 to 200) and how many were right (0 to n).
shares = st.tuples(st.integers(min_value=1, max_value=200), st.integers(min_value=0, max_value=200))
# The machine is shared: slow generation is the machine's, not the strategy's.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(before=shares, after=shares)
def test_newcombe_interval_holds_the_estimate_and_stays_in_bounds(
    before: tuple[int, int], after: tuple[int, int]
) -> None:
    (n1, r1), (n2, r2) = (before[0], min(before)), (after[0], min(after))
    change = statistics.newcombe(r1, n1, r2, n2)
    assert -1.0 <= change.low <= change.estimate + 1e-12
    assert change.estimate - 1e-12 <= change.high <= 1.0
    assert change.estimate == pytest.approx(r2 / n2 - r1 / n1)


@relaxed
@given(st.lists(st.sampled_from([-1, 0, 1]), min_size=2, max_size=300))
def test_paired_interval_is_centred_and_shrinks_with_agreement(diffs: list[int]) -> None:
    change = statistics.paired(diffs)
    assert change.estimate == pytest.approx(sum(diffs) / len(diffs))
    assert change.low <= change.estimate <= change.high
    assert change.high - change.estimate == pytest.approx(change.estimate - change.low)
    if len(set(diffs)) == 1:
        assert change.low == pytest.approx(change.high)


@relaxed
@given(
    st.lists(
        st.tuples(st.sampled_from(["before", "after"]), st.integers(min_value=0, max_value=1)),
        min_size=1,
        max_size=120,
    )
)
def test_shares_are_the_plain_counts_of_right_answers(answers: list[tuple[str, int]]) -> None:
    found = results.compute(_rows([(p, None, v) for p, v in answers]), threshold=5)
    item = found.items[0]
    for phase, share in (("before", item.before), ("after", item.after)):
        chosen = [v for p, v in answers if p == phase]
        assert share == (sum(chosen) / len(chosen) if chosen else None)
    if min(item.n_before, item.n_after) < 5:
        assert item.change is None
