"""What a questionnaire can be sent about: subject kinds → model classes.

A sending names its subject as (``subject_kind``, ``subject_id``) rather than one
foreign key per kind, so that modules written later (awareness sessions, kit loans)
join without a migration here: registering a kind is one line in ``register_defaults``
below, e.g. ::

    register("loan", "Après un prêt de malle", KitLoan, ready=_loan_back)

The subject is checked when a questionnaire is sent: it must exist in the pole (the
tenant filter applies to ``model``) and be ``ready`` (a follow-up must be closed).

A plugin registers its own kinds through ``core.sdk.register_questionnaire_subject``
(``plugin`` set): such a kind is offered, and accepted by ``sendQuestionnaire``, only in
a pole that enabled the plugin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.domain.casework.models import FollowUp
from core.domain.kits.models import KitLoan
from core.domain.outreach.models import AwarenessSession
from core.domain.structures.models import Structure
from core.errors import ConflictError


@dataclass(frozen=True)
class SubjectKind:
    name: str
    label: str
    model: type[Any]
    # Raises a coded error (field "subjectId") when the subject cannot receive one yet.
    ready: Callable[[Any], None] | None = None
    # The plugin that registered it (None: core's own).
    plugin: str | None = None

    def offered(self, enabled: frozenset[str] | None) -> bool:
        """Whether a pole with these plugins enabled may use it (None: do not ask)."""
        return self.plugin is None or enabled is None or self.plugin in enabled


SUBJECT_KINDS: dict[str, SubjectKind] = {}


def register(
    name: str,
    label: str,
    model: type[Any],
    *,
    ready: Callable[[Any], None] | None = None,
    plugin: str | None = None,
) -> None:
    if name in SUBJECT_KINDS and SUBJECT_KINDS[name].model is not model:
        raise ValueError(f"questionnaire subject kind {name!r} registered twice")
    SUBJECT_KINDS[name] = SubjectKind(name, label, model, ready, plugin)


def _follow_up_closed(row: FollowUp) -> None:
    # Sent "at the end of a follow-up": asking for an opinion mid-way would measure
    # nothing and bother the family.
    if row.status != "closed":
        raise ConflictError(
            "le questionnaire s'envoie à la clôture du suivi : ce suivi est en cours",
            field="subjectId",
        )


def _session_held(row: AwarenessSession) -> None:
    if row.held_on > dt.date.today():
        raise ConflictError(
            "le questionnaire s'envoie après la sensibilisation : elle n'a pas encore eu lieu",
            field="subjectId",
        )


def _loan_back(row: KitLoan) -> None:
    if row.status not in ("returned", "checked"):
        raise ConflictError(
            "le questionnaire s'envoie après le prêt : la malle n'est pas encore rendue",
            field="subjectId",
        )


def register_defaults() -> None:
    register("follow_up", "À la fin d'un suivi", FollowUp, ready=_follow_up_closed)
    register("structure", "Enquête annuelle auprès d'une structure", Structure)
    register("session", "Après une sensibilisation", AwarenessSession, ready=_session_held)
    register("loan", "Après un prêt de malle", KitLoan, ready=_loan_back)


register_defaults()


def labels(enabled: frozenset[str] | None = None) -> dict[str, str]:
    """Kind → French label; with ``enabled``, only core's and those enabled plugins'."""
    return {name: kind.label for name, kind in SUBJECT_KINDS.items() if kind.offered(enabled)}
