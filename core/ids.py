"""UUIDv7 identifiers, made by the application (RFC 9562, section 5.7).

Time-ordered ids keep B-tree inserts local (no random page splits) and let a
cursor sort by creation order; Python 3.11 has no ``uuid.uuid7`` yet.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """Return a new UUIDv7, monotonic within this process.

    The 12-bit ``rand_a`` field holds a counter seeded randomly each millisecond
    (method 1 of RFC 9562 §6.2), so ids made in the same millisecond still sort
    in creation order.
    """
    return uuid7_many(1)[0]


def uuid7_time_ms(value: uuid.UUID) -> int:
    """Milliseconds since the epoch encoded in a UUIDv7."""
    return value.int >> 80


def uuid7_many(count: int) -> list[uuid.UUID]:
    """``count`` new UUIDv7 in creation order (``uuid7`` is one of them), with one lock
    and one read of the system's randomness for all: a list page's read events take
    hundreds at once (docs/decisions.md, 195)."""
    global _last_ms, _counter
    if count <= 0:
        return []
    random = os.urandom(8 * count + 2)
    made = []
    with _lock:
        for index in range(count):
            ms = time.time_ns() // 1_000_000 if index == 0 else _last_ms
            if ms > _last_ms:
                _last_ms = ms
                _counter = int.from_bytes(random[-2:], "big") & 0x7FF
            else:
                _counter += 1
                if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                    _last_ms += 1
                    _counter = 0
                ms = _last_ms
            rand_b = int.from_bytes(random[8 * index : 8 * index + 8], "big") & ((1 << 62) - 1)
            value = (ms & ((1 << 48) - 1)) << 80
            value |= 0x7 << 76
            value |= _counter << 64
            value |= 0b10 << 62
            value |= rand_b
            made.append(uuid.UUID(int=value))
    return made
