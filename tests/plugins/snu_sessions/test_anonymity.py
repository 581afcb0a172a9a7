"""Quiz answers can never be linked to a name: no table of the plugin holds a column that
could, and the answers' tables hold exactly the phase, an optional random code and the
choices (issue 19, decision 142)."""

from __future__ import annotations

import re

from plugins.snu_sessions.models import MODELS, QuizAnswer, QuizResponse

# What would name or trace a person: names, contacts, birth, address, device, network.
PERSONAL = re.compile(
    r"name|first|last|email|mail|phone|tel|birth|age|address|adresse|ip|agent|device|user(?!_id$)|login",
)


def _columns(model: type) -> set[str]:
    return {c.name for c in model.__table__.columns}


def test_the_answers_tables_hold_no_identity_and_no_time() -> None:
    assert _columns(QuizResponse) == {"tenant_id", "id", "session_id", "phase", "pairing_code"}
    assert _columns(QuizAnswer) == {"tenant_id", "id", "response_id", "item_id", "value"}


def test_no_table_of_the_plugin_has_a_column_for_a_persons_identity() -> None:
    found = {
        (model.__tablename__, column)
        for model in MODELS
        for column in _columns(model)
        if PERSONAL.search(column)
    }
    # A group's name (« Maisonnée A ») is not a person's; a facilitator is a staff
    # member's account or a partner, by id: core holds who they are.
    assert found == {("snu_sessions_groups", "name")}
