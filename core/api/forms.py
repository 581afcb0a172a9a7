"""Reading a posted form into the GraphQL variables of an operation.

The page turns text into the API's types (a date, an id, a list) and nothing else:
every rule about the values is the API's, whose coded errors come back to the form.
A value that cannot even be typed (a date the person mistyped) is reported the same
way, next to its field, before the operation runs.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from core.api.pages import FormErrors, PageView

INSEE = re.compile(r"^(\d[\dAB]\d{3})$")


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


def decimal_field(errors: FormErrors, name: str, value: str, *, required: bool) -> float | None:
    """A number the person typed the French way (« 12,5 ») or the English way, or None
    with a message."""
    if not value:
        if required:
            errors.add(name, "Indiquez un nombre.")
        return None
    try:
        return float(value.replace("\u202f", "").replace(" ", "").replace(",", "."))
    except ValueError:
        errors.add(name, "Nombre non reconnu : écrivez-le en chiffres, par exemple 12,5.")
        return None


def year_param(view: PageView, name: str = "annee") -> int:
    """The year a list page is asked for (« ?annee=2025 »); this year when none is given
    or the text is not a plausible year."""
    try:
        year = int(view.value(name))
    except ValueError:
        return dt.date.today().year
    return year if 2000 <= year <= 2100 else dt.date.today().year


def connection_nodes(data: dict[str, Any] | None, key: str) -> tuple[list[dict[str, Any]], int]:
    """The nodes of the connection ``key`` of an operation's data, and its total."""
    found = (data or {}).get(key) or {"totalCount": 0, "edges": []}
    return [edge["node"] for edge in found["edges"]], int(found["totalCount"])


def plain_text(text: str) -> str:
    """Lower case, no accents, words separated by one space: « Saint-Éloy » → « saint eloy »."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", letters.lower()).strip()


async def commune_field(
    view: PageView,
    errors: FormErrors,
    typed: str,
    *,
    name: str = "commune",
    required: bool = True,
    missing: str = "Indiquez la commune.",
) -> str | None:
    """The INSEE code of the commune the person named in field ``name``: by its code,
    or by its name in the pole's département (an ambiguous name lists the candidates).
    The page must declare the ``CommunePick`` operation."""
    if not typed:
        if required:
            errors.add(name, missing)
        return None
    if INSEE.match(typed):
        return typed
    answer = await view.run(
        "CommunePick", search=typed, departement=view.layout.get("departement") or None
    )
    candidates = [e["node"] for e in ((answer.data or {}).get("communes") or {}).get("edges", [])]
    exact = [c for c in candidates if plain_text(c["name"]) == plain_text(typed)]
    if len(exact) == 1 or len(candidates) == 1:
        return str((exact or candidates)[0]["inseeCode"])
    if not candidates:
        errors.add(name, f"Aucune commune « {typed} » dans le département.")
    else:
        listed = ", ".join(f"{c['name']} ({c['inseeCode']})" for c in candidates)
        errors.add(
            name,
            f"Plusieurs communes correspondent : {listed}. Écrivez le nom exact ou le code INSEE.",
        )
    return None
