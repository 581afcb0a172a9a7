"""Worked examples from statistical-disclosure practice, small enough to check by hand."""

from __future__ import annotations

import math

import pytest

from core.errors import ErrorCode
from core.network.protection import (
    CellKey,
    Figure,
    ProtectionAuditError,
    Secret,
    Table,
    audit_published,
    protect,
)
from core.network.protection.results import PublishedRelease
from tests.network.protection.attacker import narrowest

CHILDREN = Figure("enfants", "Enfants suivis", persons=True)
LOANS = Figure("prets", "Prêts de mallettes", persons=False)


def cell(figure: str = "enfants", **coords: str) -> CellKey:
    return CellKey(figure, tuple(sorted(coords.items())))


def by_age_and_audience(small: int = 3) -> Table:
    return Table(
        "enfants",
        ("age", "public"),
        {
            ("0-3", "EAJE"): small,
            ("0-3", "ACM"): 20,
            ("0-3", "école"): 15,
            ("4-6", "EAJE"): 12,
            ("4-6", "ACM"): 14,
            ("4-6", "école"): 16,
        },
    )


def test_a_two_by_three_table_with_one_small_cell_hides_a_rectangle_of_four() -> None:
    # The textbook case: hiding the small cell alone lets its row margin give it back;
    # one more cell in its row, one in its column and the one where they cross are the
    # fewest that leave every margin published and every hidden cell undetermined.
    release = protect([CHILDREN], [by_age_and_audience()])

    hidden = release.hidden()
    assert release.figures.primary == 1
    assert release.figures.secondary == 3
    assert len(hidden) == 4
    assert all(len(key.coords) == 2 for key in hidden), "margins and total stay published"
    ages = {dict(key.coords)["age"] for key in hidden}
    audiences = {dict(key.coords)["public"] for key in hidden}
    assert len(ages) == 2 and len(audiences) == 2, "a rectangle"
    # The cheapest rectangle: école (15) beats ACM (20) in the small cell's row.
    assert cell(age="0-3", public="école") in hidden
    small = release.cells[cell(age="0-3", public="EAJE")]
    assert small.secret is Secret.PRIMARY
    assert small.reason == "secret primaire : moins de 11 personnes"
    assert small.interval == (0, 15)
    partner = release.cells[cell(age="4-6", public="école")]
    assert partner.secret is Secret.SECONDARY
    assert partner.reason == (
        "secret secondaire : publiée, elle permettrait de recalculer "
        "enfants [age = 0-3, public = EAJE]"
    )
    assert release.figures.smallest_interval == 15
    assert release.cells[CellKey("enfants")].published == 80


def test_a_one_way_table_hides_the_smallest_other_cell() -> None:
    table = Table("enfants", ("age",), {("0-3",): 3, ("4-6",): 20, ("7-13",): 15})
    release = protect([CHILDREN], [table])
    assert release.hidden() == {cell(age="0-3"), cell(age="7-13")}
    assert release.cells[CellKey("enfants")].published == 38


def test_two_small_cells_of_one_row_do_not_protect_each_other_when_their_sum_is_small() -> None:
    # 4 + 5 = 9 < 11: hiding both, their sum (total − 30) still pins each below 11.
    table = Table("enfants", ("age",), {("0-3",): 4, ("4-6",): 5, ("7-13",): 30})
    release = protect([CHILDREN], [table])
    assert release.figures.primary == 2
    assert release.figures.secondary == 1
    assert release.cells[cell(age="7-13")].secret is Secret.SECONDARY
    assert release.cells[cell(age="0-3")].interval == (0, 39)


def test_two_small_cells_whose_sum_reaches_k_protect_each_other() -> None:
    # 6 + 7 = 13 ≥ 11: each can be anything from 0 to 13, no third cell is needed.
    table = Table("enfants", ("age",), {("0-3",): 6, ("4-6",): 7, ("7-13",): 30})
    release = protect([CHILDREN], [table])
    assert release.hidden() == {cell(age="0-3"), cell(age="4-6")}
    assert release.figures.secondary == 0
    assert release.cells[cell(age="4-6")].interval == (0, 13)


def test_a_small_total_is_a_secret_and_so_is_everything_that_adds_up_to_it() -> None:
    table = Table("enfants", ("age",), {("0-3",): 4, ("4-6",): 3, ("7-13",): 0})
    release = protect([CHILDREN], [table])
    assert release.cells[CellKey("enfants")].secret is Secret.PRIMARY
    assert release.cells[cell(age="0-3")].hidden and release.cells[cell(age="4-6")].hidden
    # A zero is not a small count: it is published, and nothing can be derived from it.
    assert release.cells[cell(age="7-13")].published == 0
    assert release.figures.smallest_interval == math.inf


def test_linked_tables_share_their_margins_and_are_protected_together() -> None:
    # The same figure by audience alone and by age × audience: one equation system.
    by_audience = Table("enfants", ("public",), {("EAJE",): 15, ("ACM",): 34, ("école",): 31})
    by_age = Table("enfants", ("age",), {("0-3",): 38, ("4-6",): 42})
    release = protect([CHILDREN], [by_audience, by_age, by_age_and_audience()])
    assert release.figures.secondary == 3
    assert release.cells[cell(public="EAJE")].published == 15
    for (_, key), (low, high) in narrowest([release]).items():
        assert high - low >= 11, key


def test_linked_tables_that_disagree_are_refused() -> None:
    by_age = Table("enfants", ("age",), {("0-3",): 37, ("4-6",): 42})
    with pytest.raises(Exception) as caught:
        protect([CHILDREN], [by_age_and_audience(), by_age])
    assert caught.value.code is ErrorCode.VALIDATION  # type: ignore[attr-defined]
    assert caught.value.field == "tables[1].cells"  # type: ignore[attr-defined]


def test_counts_that_are_not_persons_are_published_as_computed() -> None:
    loans = Table("prets", ("emprunteur",), {("famille",): 2, ("structure",): 40})
    release = protect([LOANS], [loans])
    assert release.hidden() == frozenset()
    assert release.cells[cell("prets", emprunteur="famille")].published == 2


def test_the_threshold_is_a_parameter() -> None:
    release = protect([CHILDREN], [by_age_and_audience(small=4)], k=5)
    assert release.figures.primary == 1
    release = protect([CHILDREN], [by_age_and_audience(small=4)], k=3)
    assert release.hidden() == frozenset()
    release = protect([CHILDREN], [by_age_and_audience(small=4)], k=13)
    # 12 in 4-6 × EAJE is now small too.
    assert release.figures.primary == 2


def test_a_correction_hides_again_what_the_first_version_hid() -> None:
    first = protect([CHILDREN], [by_age_and_audience(small=3)])
    # The small cell was a mistake: it is 13. Its neighbours were hidden for it.
    second = protect([CHILDREN], [by_age_and_audience(small=13)], earlier=[first])
    assert second.version == 2
    assert first.hidden() <= second.hidden()
    now = second.cells[cell(age="0-3", public="EAJE")]
    assert now.secret is Secret.INHERITED
    assert now.reason == (
        "secret hérité : masquée dans la version 1, elle le reste dans chaque correction"
    )
    assert second.figures.inherited == 4
    for (_, key), (low, high) in narrowest([first, second]).items():
        assert high - low >= 11, key


def test_a_correction_that_leaves_only_a_zero_published_is_protected() -> None:
    # Found by hypothesis: version 2 hides everything but a zero, and HiGHS, warm-started
    # on the unbounded total, once answered « Unknown » instead of « Unbounded ».
    first = protect(
        [CHILDREN], [Table("enfants", ("public",), {("EAJE",): 0, ("école",): 6, ("ACM",): 5})]
    )
    assert first.hidden() == {cell(public="école"), cell(public="ACM")}
    second = protect(
        [CHILDREN],
        [Table("enfants", ("public",), {("EAJE",): 0, ("école",): 6, ("ACM",): 0})],
        earlier=[first],
    )
    assert second.cells[cell(public="école")].interval == (0, 11)
    assert second.cells[CellKey("enfants")].interval == (0, math.inf)
    assert second.cells[cell(public="EAJE")].published == 0
    for (_, key), (low, high) in narrowest([first, second]).items():
        assert high - low >= 11, key


def test_publishing_in_a_correction_what_the_first_version_hid_fails_the_audit() -> None:
    # The differencing attack: version 2 publishes version 1's complementary cells with
    # their (unchanged) values, and version 1's secret follows from its own margins.
    first = protect([CHILDREN], [by_age_and_audience()])
    careless = PublishedRelease(
        2,
        11,
        first.layout.equations,
        {
            key: (None if key == cell(age="0-3", public="EAJE") else outcome.value)
            for key, outcome in first.cells.items()
        },
    )
    report = audit_published([first.published(), careless])
    assert [(f.version, f.key) for f in report.failures] == [(2, cell(age="0-3", public="EAJE"))]
    with pytest.raises(ProtectionAuditError) as caught:
        report.check()
    assert caught.value.code is ErrorCode.CONFLICT
    assert caught.value.field == "cells"
    assert "enfants [age = 0-3, public = EAJE] (version 2) entre 3 et 3" in caught.value.message


def test_a_value_published_earlier_cannot_be_hidden_later_and_the_release_is_refused() -> None:
    # The network raised k from 5 to 11: version 1 published 8, version 2 (unchanged
    # value) would have to hide it, but every reader of version 1 knows it.
    table = Table("enfants", ("age",), {("0-3",): 8, ("4-6",): 20, ("7-13",): 30})
    first = protect([CHILDREN], [table], k=5)
    assert first.hidden() == frozenset()
    with pytest.raises(ProtectionAuditError) as caught:
        protect([CHILDREN], [table], k=11, earlier=[first])
    assert [(f.version, f.key, f.interval) for f in caught.value.failures] == [
        (2, cell(age="0-3"), (8, 8))
    ]


def test_the_published_view_holds_no_hidden_value() -> None:
    release = protect([CHILDREN], [by_age_and_audience()])
    published = release.published()
    assert {key for key, value in published.cells.items() if value is None} == release.hidden()
    assert 3 not in [v for k, v in published.cells.items() if len(k.coords) == 2]
    assert audit_published([published]).smallest_interval == 15


def test_three_two_way_tables_of_one_figure_are_audited_with_whole_numbers() -> None:
    # Three two-way tables over three dimensions are not a transportation problem: the
    # LP's bound may be fractional, and the audit's interval is the integer one.
    counts = {
        (a, p, d): v
        for (a, p, d), v in zip(
            [(a, p, d) for a in ("0-3", "4-6") for p in ("EAJE", "ACM") for d in ("f", "s")],
            [3, 9, 12, 7, 14, 2, 6, 11],
            strict=True,
        )
    }

    def marginal(dims: tuple[int, int]) -> Table:
        names = ("age", "public", "demandeur")
        cells: dict[tuple[str, ...], int] = {}
        for coords, v in counts.items():
            key = (coords[dims[0]], coords[dims[1]])
            cells[key] = cells.get(key, 0) + v
        return Table("enfants", (names[dims[0]], names[dims[1]]), cells)

    release = protect([CHILDREN], [marginal((0, 1)), marginal((0, 2)), marginal((1, 2))], k=5)
    for outcome in release.cells.values():
        if outcome.hidden:
            low, high = outcome.interval  # type: ignore[misc]
            assert low == int(low) and (high == math.inf or high == int(high))
    for (_, key), (low, high) in narrowest([release]).items():
        assert high - low >= 5, key
