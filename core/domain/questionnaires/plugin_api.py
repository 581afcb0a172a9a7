"""What ``core.sdk`` offers a plugin of the questionnaires (plugin API 1.1, decision 163).

A plugin ships a questionnaire as a TOML file in its package (the shape of core's
``defaults/``, checked the same way), installs it in a pole when it is enabled (and
in its demo seed), registers a subject kind for one of its tables so that the
questionnaire can be sent about one of its rows, sends it, and reads its results over
a period — all through core's questionnaire service, so versions, single-use links,
the public answer page, pooled results and the audit trail are core's.

These functions check no permission: the plugin checks its own action first (its
mutation's ``sdk.requires``), as it does before any write. They work in the caller's
session and transaction, never commit, and see only the session's pole.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import PersonalDataSource
from core.db.base import OWNER_KEY
from core.domain.questionnaires import links, personal_data, service, subjects
from core.domain.questionnaires.definitions import (
    DEFAULT_KEYS,
    KEY_RE,
    Definition,
    load_file,
)
from core.errors import NotFoundError, ValidationError
from core.tenancy.models import Tenant
from core.tenancy.scoped import TenantScoped

QuestionnaireDefinition = Definition
QuestionnaireResults = service.Results
# The subject kind is stored in a 30-character column.
SUBJECT_KIND_MAX = 30


def _plugin_name(plugin: Any) -> str:
    return str(getattr(plugin, "name", plugin))


def load_questionnaire(path: str | Path) -> QuestionnaireDefinition:
    """A questionnaire definition from a TOML file of the plugin's package, checked like
    core's defaults. A faulty file raises ``ValueError`` naming the file and the part at
    fault (``…/besoins.toml: udaf_workshops_needs.sections.0.items.2.choices: …``), so
    the plugin fails at startup rather than in a pole."""
    path = Path(path)
    try:
        definition = load_file(path)
    except ValidationError as exc:
        raise ValueError(f"{path}: {exc.field}: {exc.message}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: questionnaire mal formé ({exc!r})") from None
    if definition.key in DEFAULT_KEYS:
        raise ValueError(
            f"{path}: la clé « {definition.key} » est celle d'un questionnaire de core"
        )
    return definition


async def install_questionnaire(
    session: AsyncSession, definition: QuestionnaireDefinition, *, now: dt.datetime | None = None
) -> bool:
    """Install the questionnaire in the session's pole, published as version 1, unless
    the pole already has one with its key (what the pole made of it since stays).
    Idempotent: call it from ``maillage_on_enable`` and ``maillage_seed``, and before
    a first sending (a pole that enabled the plugin before it shipped the
    questionnaire). True when it added it."""
    return await service.install_definition(session, definition, now=now)


def register_questionnaire_subject(
    plugin: Any,
    name: str,
    label: str,
    model: type[Any],
    *,
    ready: Callable[[Any], None] | None = None,
) -> None:
    """Let questionnaires be sent about a row of one of the plugin's tables: ``name``
    (``<plugin>_…``, 30 characters at most) is the subject kind a questionnaire lists in
    ``subject_kinds``; ``label`` is the French occasion (« Après un atelier… »);
    ``ready(row)`` raises a coded error (field ``subjectId``) when the row cannot
    receive one yet. Call it at import, next to the models. The kind is offered only in
    poles that enabled the plugin."""
    owner = _plugin_name(plugin)
    if not (KEY_RE.match(name) and len(name) <= SUBJECT_KIND_MAX):
        raise ValueError(
            f"subject kind {name!r}: lowercase letters, digits and _, "
            f"{SUBJECT_KIND_MAX} characters at most"
        )
    if not name.startswith(owner + "_"):
        raise ValueError(f"subject kind {name!r} of {owner} must start with « {owner}_ »")
    table = getattr(model, "__table__", None)
    if not (isinstance(model, type) and issubclass(model, TenantScoped) and table is not None):
        raise ValueError(f"subject kind {name!r}: {model!r} is not a TenantScoped model")
    claimed = table.info.get(OWNER_KEY)
    if not table.name.startswith(owner + "_") or claimed not in (None, owner):
        raise ValueError(f"subject kind {name!r}: the table {table.name} is not {owner}'s")
    if not label.strip():
        raise ValueError(f"subject kind {name!r}: a French label is required")
    subjects.register(name, label.strip(), model, ready=ready, plugin=owner)


def questionnaire_records(
    subject_kind: str, family_column: Any, *, title: str, order: int
) -> PersonalDataSource:
    """The family's answers to questionnaires sent about the plugin's rows, for
    ``maillage_personal_data``: listed in its export, their free texts emptied at its
    erasure (scores and choices stay: they name no one). ``family_column`` is the rows'
    column pointing at the family (``Registration.family_id``); give an ``order`` lower
    than the source that deletes those rows."""
    return personal_data.subject_records(subject_kind, family_column, title=title, order=order)


@dataclass(frozen=True)
class SentQuestionnaire:
    """A sending just made: its id, the link's token (shown or mailed once: only its
    digest is kept), the path of the answer page (prefix it with
    ``ctx.settings.public_url``) and when the link expires."""

    sending_id: uuid.UUID
    token: str
    expires_at: dt.datetime

    @property
    def path(self) -> str:
        return f"/q/{self.token}"


async def _questionnaire_id(session: AsyncSession, key: str) -> uuid.UUID:
    found = await service.questionnaire_of(session, key)
    if found is None:
        raise NotFoundError(f"questionnaire « {key} » absent de ce pôle", field="questionnaire")
    return found.id


async def send_questionnaire(
    session: AsyncSession,
    tenant: Tenant,
    *,
    key: str,
    subject_kind: str,
    subject_id: uuid.UUID,
    sent_by: str,
    sent_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SentQuestionnaire | None:
    """Send the questionnaire ``key``'s current version about one row (core's rules:
    the subject exists in the pole and is ready, a published version exists). None
    when one is already waiting or was answered this year for that row: core never
    sends twice, and nothing is written. ``sent_by`` is the audit trail's actor."""
    found = await service.send_as(
        session,
        tenant,
        sent_by=sent_by,
        questionnaire_id=await _questionnaire_id(session, key),
        subject_kind=subject_kind,
        subject_id=subject_id,
        sent_on=sent_on,
        now=now,
    )
    if found is None:
        return None
    sending, token = found
    return SentQuestionnaire(sending.id, token, service.as_utc(sending.expires_at))


async def answer_questionnaire(
    session: AsyncSession,
    token: str,
    answers: Mapping[str, Sequence[str]],
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> uuid.UUID:
    """Record the answers given for the sending of ``token`` through the plugin's own
    means (a tablet passed round at the end of a session, a paper form typed in, demo
    data): ``{item key: [values]}`` checked as the answer page checks them
    (VALIDATION naming ``answers.<key>``), the link spent, CONFLICT on ``token`` for a
    link this pole cannot answer. Returns the response id."""
    return await links.store_answers(
        session, token, answers, now=now or service.utcnow(), actor=actor
    )


async def questionnaire_results(
    session: AsyncSession,
    *,
    key: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    subject_kind: str | None = None,
) -> QuestionnaireResults | None:
    """Results of the questionnaire ``key`` over the answers received in [start, end[
    (of one subject kind if given), pooled over its versions by item key: responses,
    and per item its answers, its counts per option and, for a scale, its mean and
    satisfied share. None when the pole does not have the questionnaire."""
    found = await service.questionnaire_of(session, key)
    if found is None:
        return None
    return await service.compute_results(
        session,
        service.ResultFilter(
            questionnaire_id=found.id, start=start, end=end, subject_kind=subject_kind
        ),
    )
