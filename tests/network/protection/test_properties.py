"""Properties of protection over random releases: random small tables, random linked
breakdowns of the same figure, one version or a correction of it.

After protection, no published count of persons is in 1..k−1; every hidden cell keeps
an audit interval of at least k, and so it does for an attacker written apart from the
engine who solves every version's tables with integer unknowns; a correction hides at
least what its earlier version hid.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.network.protection import ProtectedRelease, protect
from tests.network.protection.attacker import narrowest
from tests.network.protection.conftest import PROPERTY
from tests.network.protection.releases import (
    Joint,
    corrections,
    figures_and_tables,
    releases,
)

thresholds = st.sampled_from([3, 5, 11])


def assert_protected(versions: list[ProtectedRelease], k: int) -> None:
    latest = versions[-1]
    for cell in latest.cells.values():
        if latest.layout.persons(cell.key) and 1 <= cell.value < k:
            assert cell.hidden, cell
        if cell.hidden:
            low, high = cell.interval  # type: ignore[misc]
            assert high - low >= k, cell
            assert low <= cell.value <= high
            assert cell.reason
        assert cell.published == (None if cell.hidden else cell.value)
    for earlier in versions[:-1]:
        assert earlier.hidden() & set(latest.cells) <= latest.hidden()
    for (version, key), (low, high) in narrowest(versions).items():
        assert high - low >= k, (version, key, low, high)
    figures = latest.figures
    assert figures.hidden == len(latest.hidden())
    assert figures.published + figures.hidden == figures.cells


@PROPERTY
@given(release=releases(), k=thresholds)
def test_one_version_hides_every_small_count_and_every_way_back_to_it(
    release: list[Joint], k: int
) -> None:
    version = protect(*figures_and_tables(release), k=k)
    assert version.version == 1
    assert_protected([version], k)


@PROPERTY
@given(data=st.data(), release=releases(), k=thresholds)
def test_a_correction_keeps_every_secret_of_the_earlier_version(
    data: st.DataObject, release: list[Joint], k: int
) -> None:
    first = protect(*figures_and_tables(release), k=k)
    corrected = [data.draw(corrections(joint)) for joint in release]
    second = protect(*figures_and_tables(corrected), k=k, earlier=[first])
    assert second.version == 2
    assert_protected([first, second], k)
