"""Every stored text has a length limit, declared once on its column, stated in the
schema's descriptions and enforced under the services (the API, the CLI and imports
alike): too long is VALIDATION naming the field as the client wrote it, and nothing
is stored. Through the real API on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema
from sqlalchemy import func, select

from core.access.actions import Actor
from core.db.limits import text_limit
from core.domain.casework.models import Request
from core.domain.families.models import Family
from core.domain.kits.models import Kit
from core.errors import ValidationError
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from tests.api.conftest import OPERATIONS, TwoPoles

SCHEMA = build_schema((OPERATIONS.parent / "schema.graphql").read_text(encoding="utf-8"))
FAMILY = """mutation($name: String!, $notes: String!) {
  createFamily(input: { name: $name, communeInsee: "62119", notes: $notes }) {
    family { id } errors { code field message } } }"""
RECORD = """mutation($input: RequestInput!) { recordRequest(input: $input) {
  request { id } errors { code field message } } }"""
KIT = """mutation($input: KitInput!) { createKit(input: $input) {
  kit { id } errors { code field message } } }"""
COORDINATOR = Actor(
    subject="test:limits-coordinator",
    display_name="Coordinatrice de test",
    roles=frozenset({"coordinator"}),
)


async def payload(client: GraphQLClient, query: str, pole: Any, **variables: Any) -> dict:
    result = await client.execute(query, variables, tenant=pole, actor=COORDINATOR)
    assert "errors" not in result, result
    (value,) = result["data"].values()
    return value


def over(column: Any) -> str:
    """One character more than the column holds (well under the body limit)."""
    limit = text_limit(column)
    assert limit is not None and limit < 100_000
    return "é" * (limit + 1)


async def count(db: Database, pole: Any, model: type) -> int:
    async with db.session(pole.id) as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_family_s_notes_over_the_limit_are_refused_naming_notes(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    before = await count(db, two_poles.a, Family)
    result = await payload(
        client, FAMILY, two_poles.a, name="Famille Longue", notes=over(Family.notes)
    )
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("VALIDATION", "notes")]
    assert f"{text_limit(Family.notes):,}".replace(",", "\u202f") in result["errors"][0]["message"]
    assert await count(db, two_poles.a, Family) == before
    at_limit = "é" * text_limit(Family.notes)
    ok = await payload(client, FAMILY, two_poles.a, name="Famille Longue", notes=at_limit)
    assert ok["errors"] == [] and ok["family"]["id"]


async def test_a_request_s_description_over_the_limit_is_refused_naming_description(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    request = {
        "receivedOn": "2026-10-05",
        "channel": "phone",
        "requesterKind": "family",
        "requesterName": "Mère de Léo",
        "subjects": ["professional_question"],
        "description": over(Request.description),
    }
    result = await payload(client, RECORD, two_poles.a, input=request)
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("VALIDATION", "description")]
    assert await count(db, two_poles.a, Request) == 0


async def test_a_ten_thousand_character_name_is_refused_naming_name(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    kit = {
        "name": "M" * 10_000,
        "theme": "emotions",
        "components": [{"name": "Livres", "quantity": 5}],
    }
    result = await payload(client, KIT, two_poles.a, input=kit)
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("VALIDATION", "name")]
    assert await count(db, two_poles.a, Kit) == 0
    family = await payload(client, FAMILY, two_poles.a, name="F" * 10_000, notes="")
    assert [(e["code"], e["field"]) for e in family["errors"]] == [("VALIDATION", "name")]


async def test_a_write_outside_the_api_meets_the_same_limit(
    db: Database, two_poles: TwoPoles
) -> None:
    """The CLI, an import or a plugin writing through the ORM: same limit, same field."""
    async with db.session(two_poles.a.id) as session:
        session.add(
            Family(
                name="Famille Importée",
                search_name="famille importee",
                commune_insee="62119",
                notes=over(Family.notes),
            )
        )
        with pytest.raises(ValidationError) as refused:
            await session.flush()
        assert refused.value.field == "notes"
        await session.rollback()
    # An update is checked too, on the fields it changes only.
    async with db.session(two_poles.a.id) as session:
        row = Family(name="Famille Fictive", search_name="famille fictive", commune_insee="62119")
        session.add(row)
        await session.commit()
        row.situation = over(Family.situation)
        with pytest.raises(ValidationError) as refused:
            await session.commit()
        assert refused.value.field == "situation"


@pytest.mark.parametrize(
    ("where", "argument"),
    [
        ("CreateFamilyInput", "notes"),
        ("CreateFamilyInput", "name"),
        ("Mutation.createFamily", "name"),
        ("RequestInput", "description"),
        ("KitInput", "name"),
    ],
)
def test_the_schema_states_each_limit(where: str, argument: str) -> None:
    type_name, _, field_name = where.partition(".")
    graphql_type: Any = SCHEMA.get_type(type_name)
    if field_name:
        described = graphql_type.fields[field_name].args[argument].description
    else:
        described = graphql_type.fields[argument].description
    assert described and "caractères au plus" in described, (where, argument, described)


# Identifiers, codes from a vocabulary or the pole's own keys, and secrets: checked
# against what exists, not stored as a person's text.
NOT_TEXT = {
    "AnswerInput.item",
    "ChoiceInput.value",
    "ConventionInput.pricing",
    "enablePlugin(name)",
    "disablePlugin(name)",
    "updatePluginSettings(name)",
    "switchTenant(pole)",
    "changePassword(currentPassword)",
    "changePassword(newPassword)",
    "revokeApiClient(clientId)",
    "addGuardian(relationship)",
    "AddGuardianInput.relationship",
    "completeTask(key)",
    "snoozeTask(key)",
    "setConventionStatus(status)",
    "SetConventionStatusInput.status",
    "setKitStatus(status)",
    "InvoiceLineInput.priceCode",
    "answerQuestionnaire(token)",
    "ReferentChartersRegisterReferentInput.communeInsee",
}


def test_every_string_argument_and_input_field_states_its_limit() -> None:
    """A client reads the limits in the schema: every String a mutation takes says how
    long it may be, or is a code the description points to (« Voir kitThemes »)."""
    missing = []
    for name, graphql_type in SCHEMA.type_map.items():
        if name.startswith("__"):
            continue
        entries: list[tuple[str, Any]] = []
        if name == "Mutation":
            for field_name, field in graphql_type.fields.items():
                entries += [(f"{field_name}({a})", arg) for a, arg in field.args.items()]
        elif hasattr(graphql_type, "fields") and type(graphql_type).__name__ == (
            "GraphQLInputObjectType"
        ):
            entries += [(f"{name}.{f}", field) for f, field in graphql_type.fields.items()]
        for where, entry in entries:
            type_text = str(entry.type).strip("!")
            if type_text != "String" or where in NOT_TEXT:
                continue
            description = entry.description or ""
            if "caractères au plus" not in description and "Voir " not in description:
                missing.append(where)
    assert missing == [], missing
