"""A questionnaire's content as data: sections of items, checked before it is stored.

The defaults shipped with the platform are TOML files in ``defaults/`` (read by
``load_default``); a pole's own versions arrive through the API as the same shape.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.domain.questionnaires.subjects import SUBJECT_KINDS
from core.domain.questionnaires.vocabulary import ITEM_KINDS
from core.errors import ValidationError

DEFAULTS_DIR = Path(__file__).parent / "defaults"
DEFAULT_KEYS = ("satisfaction", "structure_survey")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
CHOICE_KINDS = frozenset({"single_choice", "multiple_choice"})
MAX_ITEMS = 80


@dataclass(frozen=True)
class ItemSpec:
    key: str
    kind: str
    label: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SectionSpec:
    title: str
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class Definition:
    key: str
    title: str
    description: str
    subject_kinds: tuple[str, ...]
    intro: str
    sections: tuple[SectionSpec, ...] = field(default_factory=tuple)


def check_sections(sections: Sequence[SectionSpec], prefix: str = "sections") -> None:
    """VALIDATION naming the faulty part (``sections.1.items.0.choices``)."""
    if not sections:
        raise ValidationError("au moins une section", field=prefix)
    seen: set[str] = set()
    count = 0
    for s, section in enumerate(sections):
        where = f"{prefix}.{s}"
        if not section.title.strip():
            raise ValidationError("titre de section requis", field=f"{where}.title")
        if not section.items:
            raise ValidationError("au moins une question par section", field=f"{where}.items")
        for i, item in enumerate(section.items):
            at = f"{where}.items.{i}"
            count += 1
            if not KEY_RE.match(item.key):
                raise ValidationError(
                    "clé en minuscules, chiffres et _ (60 caractères au plus)", field=f"{at}.key"
                )
            if item.key in seen:
                raise ValidationError(f"clé « {item.key} » en double", field=f"{at}.key")
            seen.add(item.key)
            if item.kind not in ITEM_KINDS:
                raise ValidationError(
                    f"type inconnu « {item.kind} » ({', '.join(ITEM_KINDS)})", field=f"{at}.kind"
                )
            if not item.label.strip():
                raise ValidationError("intitulé requis", field=f"{at}.label")
            if item.kind in CHOICE_KINDS:
                values = [value for value, _ in item.choices]
                if len(values) < 2:
                    raise ValidationError("au moins deux choix", field=f"{at}.choices")
                if len(set(values)) != len(values) or not all(KEY_RE.match(v) for v in values):
                    raise ValidationError(
                        "valeurs de choix uniques, en minuscules", field=f"{at}.choices"
                    )
                if not all(label.strip() for _, label in item.choices):
                    raise ValidationError("chaque choix a un libellé", field=f"{at}.choices")
            elif item.choices:
                raise ValidationError(
                    "seules les questions à choix ont des choix", field=f"{at}.choices"
                )
    if count > MAX_ITEMS:
        raise ValidationError(f"{MAX_ITEMS} questions au plus", field=prefix)


def check_subject_kinds(kinds: Sequence[str], field: str = "subjectKinds") -> None:
    for index, kind in enumerate(kinds):
        # Kinds not registered yet (session, loan) are accepted in definitions: the
        # registry decides at sending time.
        if not KEY_RE.match(kind):
            raise ValidationError(
                f"type de destinataire invalide « {kind} »", field=f"{field}.{index}"
            )


def _item(raw: dict[str, Any]) -> ItemSpec:
    return ItemSpec(
        key=str(raw["key"]),
        kind=str(raw["kind"]),
        label=str(raw["label"]),
        required=bool(raw.get("required", True)),
        choices=tuple((str(v), str(label)) for v, label in raw.get("choices", [])),
    )


def parse_definition(raw: dict[str, Any]) -> Definition:
    """A definition from the TOML shape (``key``, ``title``, ``sections`` of ``items``…),
    checked like a pole's own: VALIDATION naming ``<key>.sections.N.items.M.…``."""
    definition = Definition(
        key=str(raw["key"]),
        title=str(raw["title"]),
        description=str(raw.get("description", "")),
        subject_kinds=tuple(str(k) for k in raw.get("subject_kinds", [])),
        intro=str(raw.get("intro", "")),
        sections=tuple(
            SectionSpec(title=s["title"], items=tuple(_item(i) for i in s.get("items", [])))
            for s in raw.get("sections", [])
        ),
    )
    if not KEY_RE.match(definition.key):
        raise ValidationError(
            "clé en minuscules, chiffres et _ (60 caractères au plus)", field="key"
        )
    if not definition.title.strip() or len(definition.title) > 200:
        raise ValidationError(
            "titre requis, 200 caractères au plus", field=f"{definition.key}.title"
        )
    check_sections(definition.sections, f"{definition.key}.sections")
    check_subject_kinds(definition.subject_kinds)
    return definition


def load_file(path: Path) -> Definition:
    """A questionnaire from a TOML file: the defaults here, a plugin's own in its package."""
    return parse_definition(tomllib.loads(path.read_text(encoding="utf-8")))


def load_default(key: str) -> Definition:
    """A default questionnaire from its TOML file (checked like a pole's own)."""
    definition = load_file(DEFAULTS_DIR / f"{key}.toml")
    if definition.key != key:
        raise ValueError(f"{key}.toml declares key {definition.key!r}")
    return definition


def known_subject_kinds() -> list[str]:
    return sorted(SUBJECT_KINDS)
