"""Checking a respondent's answers against the version they answer.

Answers arrive as ``{item key: [raw values]}`` — what an HTML form posts (checkboxes
repeat their name) and what the GraphQL input carries. Errors name the item
(``answers.<key>``) so the form can show the message next to the question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.domain.questionnaires.models import QuestionnaireItem
from core.domain.questionnaires.vocabulary import SCALE
from core.errors import ValidationError

MAX_TEXT = 5000
YES = {"yes": 1, "oui": 1, "no": 0, "non": 0}


@dataclass(frozen=True)
class Parsed:
    item: QuestionnaireItem
    number: int | None = None
    choices: tuple[str, ...] = ()
    text: str = ""


def field_of(item_key: str) -> str:
    return f"answers.{item_key}"


def parse_answers(
    items: Sequence[QuestionnaireItem], raw: Mapping[str, Sequence[str]]
) -> list[Parsed]:
    """The answers to store (unanswered optional items are left out)."""
    by_key = {item.key: item for item in items}
    for key in raw:
        if key not in by_key:
            raise ValidationError("question inconnue dans ce questionnaire", field=field_of(key))
    parsed: list[Parsed] = []
    for item in items:
        values = [v.strip() for v in raw.get(item.key, ()) if v is not None and v.strip()]
        field = field_of(item.key)
        if not values:
            if item.required:
                raise ValidationError("réponse requise", field=field)
            continue
        if item.kind != "multiple_choice" and len(values) > 1:
            raise ValidationError("une seule réponse attendue", field=field)
        value = values[0]
        if item.kind == "scale":
            if value not in {str(n) for n in SCALE}:
                raise ValidationError(
                    f"valeur hors de l'échelle « {value} » (de 1 à 4)", field=field
                )
            parsed.append(Parsed(item, number=int(value)))
        elif item.kind == "yes_no":
            if value.lower() not in YES:
                raise ValidationError(f"répondez oui ou non (reçu « {value} »)", field=field)
            parsed.append(Parsed(item, number=YES[value.lower()]))
        elif item.kind in {"single_choice", "multiple_choice"}:
            allowed = [v for v, _ in item.choices]
            for chosen in values:
                if chosen not in allowed:
                    raise ValidationError(
                        f"choix « {chosen} » absent de la liste ({', '.join(allowed)})",
                        field=field,
                    )
            parsed.append(Parsed(item, choices=tuple(v for v in allowed if v in values)))
        else:
            if len(value) > MAX_TEXT:
                raise ValidationError(f"{MAX_TEXT} caractères au plus", field=field)
            parsed.append(Parsed(item, text=value))
    return parsed
