"""Length limits of stored texts: declared once per column, checked at every flush.

A ``String(n)`` column holds ``n`` characters at most; a ``Text`` column declares its
limit in its info (``mapped_column(Text, info=max_chars(NOTE))``). The schema lint
refuses a text column with neither, so a new column cannot forget it.

The check runs in a ``before_flush`` listener registered on ``Session`` (the class),
under every service: the API, the CLI, imports, the demo seed and plugins all meet the
same limit, and a too-long value is a VALIDATION error naming the field as the client
wrote it (the attribute in camelCase, or ``info=max_chars(n, field=...)``) before any
SQL runs — PostgreSQL would otherwise refuse a ``varchar`` overflow as an internal
error, and SQLite would store 10 MB without a word.

GraphQL descriptions quote the same numbers (``limit_text``), and docs/limits.md lists
them all (``maillage limits --write``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from core.errors import ValidationError

MAX_CHARS_KEY = "maillage_max_chars"
FIELD_KEY = "maillage_field"

# Shared sizes, so that the same kind of text has the same limit everywhere.
NAME = 200
NOTE = 4000  # a note, a description, a comment: about two pages
LONG = 10000  # a section of a reception plan, a questionnaire's introduction


def max_chars(limit: int, *, field: str | None = None) -> dict[str, Any]:
    """Column info declaring a Text column's limit (and, when the input field is not
    the attribute's camelCase name, the field an error names)."""
    info: dict[str, Any] = {MAX_CHARS_KEY: limit}
    if field is not None:
        info[FIELD_KEY] = field
    return info


def text_limit(column: Any) -> int | None:
    """The limit of a text column (a Column or a mapped attribute), None if it has none."""
    column = getattr(column, "expression", column)
    declared = column.info.get(MAX_CHARS_KEY)
    if declared is not None:
        return int(declared)
    length = getattr(column.type, "length", None) if isinstance(column.type, String) else None
    return int(length) if length else None


def number(value: int) -> str:
    """4000 as a French reader writes it: « 4 000 » (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")


def limit_text(limit: int) -> str:
    return f"{number(limit)} caractères au plus"


def field_name(key: str, column: Any) -> str:
    """The input field a too-long value came from: declared, or the attribute's key in
    camelCase (``health_notes`` → ``healthNotes``, ``relationship_`` → ``relationship``)."""
    declared = column.info.get(FIELD_KEY)
    if declared:
        return str(declared)
    head, *rest = key.rstrip("_").split("_")
    return head + "".join(part.capitalize() for part in rest)


def check_length(value: Any, column: Any, field: str) -> None:
    limit = text_limit(column)
    if limit is not None and isinstance(value, str) and len(value) > limit:
        raise ValidationError(limit_text(limit), field=field)


def clean_text(
    value: str, column: Any, field: str, *, required: bool = True, one_line: bool = False
) -> str:
    """A person's text as stored: trimmed (``one_line``: inner runs of spaces and line
    breaks made one space), required unless told, within the column's limit — for a
    service that wants the error before anything is looked up, or under a nested field
    path (``values.3.comment``) the flush check cannot know."""
    clean = " ".join(value.split()) if one_line else value.strip()
    if required and not clean:
        raise ValidationError("champ obligatoire", field=field)
    check_length(clean, column, field)
    return clean


def _check_object(obj: Any, changed_only: bool) -> None:
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if len(attr.columns) != 1:
            continue
        column = attr.columns[0]
        if text_limit(column) is None:
            continue
        history = state.attrs[attr.key].history
        if changed_only and not history.added:
            continue
        for value in history.added if changed_only else [state.dict.get(attr.key)]:
            check_length(value, column, field_name(attr.key, column))


@event.listens_for(Session, "before_flush")
def _check_text_lengths(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        _check_object(obj, changed_only=False)
    # Only what changes: a row stored before a limit existed can still be edited.
    for obj in session.dirty:
        _check_object(obj, changed_only=True)
