"""``uuid7``: RFC 9562 version 7 ids, unique and strictly increasing within a process."""

from __future__ import annotations

import itertools
import time
import types
import uuid

import pytest

import core.ids as ids
from core.ids import uuid7, uuid7_time_ms


def increasing(values: list) -> bool:  # type: ignore[type-arg]
    return all(a < b for a, b in itertools.pairwise(values))


def test_uuid7_has_version_7_and_the_rfc_4122_variant() -> None:
    for _ in range(100):
        value = uuid7()
        assert value.version == 7
        assert value.variant == uuid.RFC_4122
        assert (value.int >> 76) & 0xF == 0x7
        assert (value.int >> 62) & 0b11 == 0b10


def test_ten_thousand_ids_are_unique_and_strictly_increasing() -> None:
    values = [uuid7() for _ in range(10_000)]
    assert len(set(values)) == len(values)
    assert increasing(values)
    as_bytes = [v.bytes for v in values]
    assert increasing(as_bytes)
    assert increasing([str(v) for v in values])


def test_timestamp_is_the_current_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before - 5 <= uuid7_time_ms(value) <= after + 5


def _frozen_clock(monkeypatch: pytest.MonkeyPatch, ms: int) -> None:
    monkeypatch.setattr(ids, "time", types.SimpleNamespace(time_ns=lambda: ms * 1_000_000))
    monkeypatch.setattr(ids, "_last_ms", 0)
    monkeypatch.setattr(ids, "_counter", 0)


def test_ids_within_one_millisecond_still_sort_in_creation_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = 1_700_000_000_000
    _frozen_clock(monkeypatch, frozen)
    values = [uuid7() for _ in range(500)]
    assert {uuid7_time_ms(v) for v in values} == {frozen}
    assert increasing(values)


def test_exhausted_counter_borrows_the_next_millisecond_and_stays_monotonic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = 1_700_000_000_000
    _frozen_clock(monkeypatch, frozen)
    values = [uuid7() for _ in range(5_000)]  # more than the 12-bit counter holds
    assert increasing(values)
    stamps = [uuid7_time_ms(v) for v in values]
    assert stamps[0] == frozen
    assert stamps[-1] > frozen
    assert stamps == sorted(stamps)
    assert all(v.version == 7 and v.variant == uuid.RFC_4122 for v in values)


def test_a_clock_going_backwards_does_not_break_ordering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = 1_700_000_000_000
    _frozen_clock(monkeypatch, now)
    first = uuid7()
    monkeypatch.setattr(
        ids, "time", types.SimpleNamespace(time_ns=lambda: (now - 1_000) * 1_000_000)
    )
    second = uuid7()
    assert second > first
    assert uuid7_time_ms(second) == now


def test_ids_made_by_the_hundred_are_ids_like_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``uuid7_many``: version 7, strictly increasing among themselves and with the ids
    made one by one before and after, the counter borrowing a millisecond when full."""
    values = [uuid7(), *ids.uuid7_many(300), uuid7(), *ids.uuid7_many(1), uuid7()]
    assert increasing(values) and len(set(values)) == len(values)
    assert all(v.version == 7 and v.variant == uuid.RFC_4122 for v in values)
    assert ids.uuid7_many(0) == []
    frozen = 1_700_000_000_000
    _frozen_clock(monkeypatch, frozen)
    many = ids.uuid7_many(5_000)
    assert increasing(many)
    assert uuid7_time_ms(many[0]) == frozen and uuid7_time_ms(many[-1]) > frozen
    assert increasing([*many, uuid7()])
