"""Mutations in one style (decision 186): the 28 mutations that took flat arguments take
one ``input:`` (plus ``id:`` for the record acted on). For one version the flat form
still answers, its arguments deprecated in introspection; a client uses one form or
the other, and both or neither is a VALIDATION error in the payload, naming the field."""

from __future__ import annotations

import uuid

from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.api.test_communes import coordinator

CONVERTED = [
    "addChild",
    "addContact",
    "addGuardian",
    "cancelInvoice",
    "checkKitLoan",
    "closeFollowUp",
    "createApiClient",
    "createFamily",
    "createOrganisation",
    "createPartner",
    "departKitLoan",
    "draftQuestionnaireVersion",
    "eraseFamilyData",
    "inviteMember",
    "linkChildPartner",
    "linkChildStructure",
    "openFollowUp",
    "placeLegalHold",
    "recordActionPlanYear",
    "recordConsent",
    "returnKitLoan",
    "sendQuestionnaire",
    "setConventionStatus",
    "setRequestStatus",
    "updateChild",
    "updateFamily",
    "updateMember",
    "writeReceptionPlan",
]
# The record a mutation acts on stays a top-level argument of the new form.
TOP_LEVEL = {"id", "periodId"}

INTROSPECTION = """{ __type(name: "Mutation") { fields { name
  all: args(includeDeprecated: true) { name isDeprecated deprecationReason type { kind } }
  current: args { name } } } }"""


async def test_introspection_offers_input_and_marks_the_flat_arguments_deprecated(
    client: GraphQLClient, two_poles: TwoPoles
):
    answer = await client.execute(INTROSPECTION, tenant=two_poles.a, actor=coordinator())
    fields = {f["name"]: f for f in answer["data"]["__type"]["fields"]}
    for name in CONVERTED:
        args = {a["name"]: a for a in fields[name]["all"]}
        assert "input" in args and not args["input"]["isDeprecated"], name
        flat = [a for a in args.values() if a["name"] not in TOP_LEVEL | {"input"}]
        assert flat, name
        assert all(a["isDeprecated"] and "input" in a["deprecationReason"] for a in flat), name
        # A deprecated argument is optional, and hidden from a client that does not ask.
        assert all(a["type"]["kind"] != "NON_NULL" for a in flat), name
        assert {a["name"] for a in fields[name]["current"]} <= TOP_LEVEL | {"input"}, name
    # A mutation that always had input: keeps it alone.
    assert [a["name"] for a in fields["recordRequest"]["all"]] == ["input"]


async def test_the_deprecated_flat_form_still_answers_for_one_version(
    client: GraphQLClient, two_poles: TwoPoles
):
    pole, who = two_poles.a, coordinator()
    made = await client.execute(
        """mutation { createFamily(name: "Famille Plate", communeInsee: "62119") {
          family { id name } errors { code field } } }""",
        tenant=pole,
        actor=who,
    )
    family = made["data"]["createFamily"]
    assert family["errors"] == [] and family["family"]["name"] == "Famille Plate"
    family_id = family["family"]["id"]
    renamed = await client.execute(
        """mutation($id: ID!) { updateFamily(id: $id, name: "Famille Aplatie") {
          family { name } errors { code field } } }""",
        {"id": family_id},
        tenant=pole,
        actor=who,
    )
    assert renamed["data"]["updateFamily"] == {"family": {"name": "Famille Aplatie"}, "errors": []}
    child = await client.execute(
        """mutation($f: ID!) { addChild(familyId: $f, firstName: "Léa", birthDate: "2023-01-02")
          { child { firstName family { id } } errors { code field } } }""",
        {"f": family_id},
        tenant=pole,
        actor=who,
    )
    assert child["data"]["addChild"] == {
        "child": {"firstName": "Léa", "family": {"id": family_id}},
        "errors": [],
    }
    # An input with a field named like the helper's own parameters (kind).
    partner = await client.execute(
        """mutation { createPartner(name: "CAMSP Plat", kind: "camsp") {
          partner { name } errors { code field } } }""",
        tenant=pole,
        actor=who,
    )
    assert partner["data"]["createPartner"] == {"partner": {"name": "CAMSP Plat"}, "errors": []}


async def test_both_forms_or_neither_is_a_validation_error_naming_the_field(
    client: GraphQLClient, two_poles: TwoPoles
):
    pole, who = two_poles.a, coordinator()

    async def errors(document: str, **variables: object) -> list[dict[str, str]]:
        answer = await client.execute(document, variables or None, tenant=pole, actor=who)
        assert "errors" not in answer, answer
        (payload,) = answer["data"].values()
        assert payload.get("family") is None
        return [{"code": e["code"], "field": e["field"]} for e in payload["errors"]]

    both = """mutation { createFamily(input: { name: "Famille A", communeInsee: "62119" },
      name: "Famille B") { family { id } errors { code field message } } }"""
    assert await errors(both) == [{"code": "VALIDATION", "field": "name"}]
    neither = "mutation { createFamily { family { id } errors { code field message } } }"
    assert await errors(neither) == [{"code": "VALIDATION", "field": "input"}]
    # The flat form still needs what the input requires.
    short = """mutation { createFamily(name: "Famille C") {
      family { id } errors { code field message } } }"""
    assert await errors(short) == [{"code": "VALIDATION", "field": "communeInsee"}]
    nothing_to_change = """mutation($id: ID!) { updateFamily(id: $id) {
      family { id } errors { code field message } } }"""
    assert await errors(nothing_to_change, id=str(uuid.uuid4())) == [
        {"code": "VALIDATION", "field": "input"}
    ]
    # planId, the old name of writeReceptionPlan's id, belongs to the flat form.
    plan = """mutation($id: ID!) { writeReceptionPlan(planId: $id,
      input: { content: { writtenOn: "2026-10-01" } }) { plan { id } errors { code field } } }"""
    assert await errors(plan, id=str(uuid.uuid4())) == [{"code": "VALIDATION", "field": "planId"}]
    families = await client.execute(
        "{ families(first: 10) { totalCount } }", tenant=pole, actor=who
    )
    assert families["data"]["families"]["totalCount"] == 0
