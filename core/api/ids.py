"""Ids in arguments, and the caller of the services, shared by the domain's types.

An argument naming a record accepts its raw UUID or its Relay global id; a malformed one
is NOT_FOUND naming the field (as an id of another pole is: nothing to tell apart).
"""

from __future__ import annotations

import uuid
from typing import Any

from strawberry import relay

from core.access.actions import Caller
from core.api.context import Context
from core.errors import NotFoundError


def try_uuid(value: Any) -> uuid.UUID | None:
    raw = str(value)
    try:
        _kind, inner = relay.from_base64(raw)
        raw = inner
    except Exception:
        pass
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def parse_id(value: Any, field: str) -> uuid.UUID:
    found = try_uuid(value)
    if found is None:
        raise NotFoundError("introuvable dans ce pôle", field=field)
    return found


def maybe_id(value: Any, field: str) -> uuid.UUID | None:
    return None if value is None else parse_id(value, field)


def caller(ctx: Context) -> Caller:
    return Caller(ctx.actor, ctx.host.actions)
