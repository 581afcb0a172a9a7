"""Input checks shared by the services: each raises a coded error naming the GraphQL
input field at fault, with a French message; the mutation turns it into a payload
error and nothing is written."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk

PLUGIN = "handisitting"
E = TypeVar("E", bound=Enum)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Older than this is a typing mistake, not history.
EARLIEST = dt.date(2000, 1, 1)


def words(value: str, field: str, *, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise sdk.ValidationError(f"{label} : champ obligatoire", field=field)
    if len(value) > max_length:
        raise sdk.ValidationError(f"{label} : {max_length} caractères au plus", field=field)
    return value


def email(value: str, field: str) -> str:
    value = words(value, field, label="Adresse électronique", max_length=254)
    if not EMAIL_RE.match(value):
        raise sdk.ValidationError("adresse électronique invalide", field=field)
    return value.lower()


def code(vocabulary: type[E], value: str, field: str) -> E:
    try:
        return vocabulary(value)
    except ValueError:
        known = ", ".join(str(v.value) for v in vocabulary)
        raise sdk.ValidationError(
            f"code inconnu « {value} » (codes : {known})", field=field
        ) from None


def day(value: dt.date, field: str, *, label: str) -> dt.date:
    if value < EARLIEST:
        raise sdk.ValidationError(f"{label} : date antérieure à 2000, vérifiez", field=field)
    return value


CLOCK_RE = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


def clock(value: str, field: str) -> dt.time:
    """A time of day as people type it: « 14:00 », « 14h00 », « 9:30 »."""
    found = CLOCK_RE.match((value or "").strip())
    if found is None:
        raise sdk.ValidationError("heure attendue au format 14:00", field=field)
    return dt.time(int(found.group(1)), int(found.group(2)))


def node_uuid(value: Any, type_name: str, field: str) -> uuid.UUID:
    """The UUID in a global id of ``type_name`` (or a raw UUID). Anything else answers
    NOT_FOUND naming the field, as for a row of another pole: nothing tells them apart."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        global_id = sdk.relay.GlobalID.from_id(value)
        if global_id.type_name == type_name:
            return uuid.UUID(global_id.node_id)
    except Exception:
        pass
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise sdk.NotFoundError("introuvable dans ce pôle", field=field) from None


async def row(session: AsyncSession, model: Any, row_id: uuid.UUID, field: str) -> Any:
    """The pole's row or NOT_FOUND naming ``field`` (another pole's id finds nothing:
    the scoped session adds the pole to every statement)."""
    found = await session.scalar(select(model).where(model.id == row_id))
    if found is None:
        raise sdk.NotFoundError("introuvable dans ce pôle", field=field)
    return found


def audit(
    session: AsyncSession, actor: str, verb: str, kind: str, row_id: Any, fields: Iterable[str]
) -> None:
    sdk.audit(
        session,
        actor=actor,
        action=f"{PLUGIN}.{verb}",
        object_type=f"{PLUGIN}.{kind}",
        object_id=str(row_id),
        fields=fields,
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
