"""Reading a posted form into the GraphQL variables of an operation.

The page turns text into the API's types (a date, an id, a list) and nothing else:
every rule about the values is the API's, whose coded errors come back to the form.
A value that cannot even be typed (a date the person mistyped) is reported the same
way, next to its field, before the operation runs.
"""

from __future__ import annotations

import datetime as dt

from core.api.pages import FormErrors


def date_field(errors: FormErrors, name: str, value: str, *, required: bool) -> str | None:
    """An ISO date (what ``<input type=date>`` posts), or None with a message."""
    if not value:
        if required:
            errors.add(name, "Indiquez une date.")
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        errors.add(name, "Date non reconnue : écrivez-la sous la forme 2026-12-06.")
        return None


def optional(value: str) -> str | None:
    """An optional picker: the empty choice means none."""
    return value or None


def count_field(errors: FormErrors, name: str, value: str, *, required: bool) -> int | None:
    """A whole number the person typed (« 12 »), or None with a message."""
    if not value:
        if required:
            errors.add(name, "Indiquez un nombre.")
        return None
    try:
        return int(value.replace("\u202f", "").replace(" ", ""))
    except ValueError:
        errors.add(name, "Nombre non reconnu : écrivez-le en chiffres, par exemple 12.")
        return None
