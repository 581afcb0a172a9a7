"""What a client sends that names a row or a time: a Relay global id of one of the
plugin's types, a time of day. Bad ones are the client's to fix, answered with a code
naming the field, never INTERNAL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from core import sdk


def _decoded(value: Any) -> tuple[str, uuid.UUID] | None:
    try:
        found = sdk.relay.GlobalID.from_id(str(value))
        return found.type_name, uuid.UUID(found.node_id)
    except Exception:  # not base64, not "Type:id", not a UUID: all the same to a client
        return None


def node_uuid(value: Any, type_name: str, field: str) -> uuid.UUID:
    """The UUID inside a global id of ``type_name``. A malformed id, one of another type
    and another pole's all answer NOT_FOUND naming the field, as core's look-ups do:
    nothing tells them apart."""
    found = _decoded(value)
    if found is None or found[0] != type_name:
        raise sdk.NotFoundError("introuvable dans ce pôle", field=field)
    return found[1]


def maybe_node_uuid(value: Any, type_name: str, field: str) -> uuid.UUID | None:
    return None if value is None else node_uuid(value, type_name, field)


def raw_uuid(value: str) -> uuid.UUID | None:
    """The id part Relay hands to ``resolve_nodes`` (None when it is no UUID)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def global_id(type_name: str, row_id: uuid.UUID) -> str:
    return str(sdk.relay.GlobalID(type_name, str(row_id)))


def clock(value: str, field: str) -> dt.time:
    """A time of day, « 09:30 »; anything else is VALIDATION on ``field``."""
    try:
        parsed = dt.time.fromisoformat(value.strip())
    except ValueError:
        raise sdk.ValidationError("heure attendue au format 09:30", field=field) from None
    return parsed.replace(second=0, microsecond=0)
