"""A commune is a ``Commune`` object everywhere an output names one (decision 99):
``commune { inseeCode name departement epci }``, read through the one batched loader
over the territory reference; the old ``communeInsee`` strings on outputs stay one
version, deprecated; inputs keep ``communeInsee``."""

from __future__ import annotations

import uuid

from graphql import GraphQLInterfaceType, GraphQLObjectType, get_named_type

from core.access.actions import Actor
from core.app.schema import build_schema
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.api.test_graphql import first_party_host


def test_no_output_names_a_commune_by_its_code_alone():
    schema = build_schema(first_party_host())._schema
    offenders, without_object = [], []
    for name, type_ in sorted(schema.type_map.items()):
        if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in type_.fields.items():
            if get_named_type(field.type).name in ("Commune", "CommuneConnection"):
                continue
            if field_name.startswith("commune"):
                if field.deprecation_reason is None:
                    offenders.append(f"{name}.{field_name}")
                commune = type_.fields.get("commune")
                if commune is None or get_named_type(commune.type).name != "Commune":
                    without_object.append(f"{name}.{field_name}")
    assert offenders == [] and without_object == []


def coordinator() -> Actor:
    return Actor(
        subject=f"test:communes-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset({"coordinator"}),
    )


async def test_families_and_children_answer_their_commune_as_an_object(
    client: GraphQLClient, two_poles: TwoPoles
):
    pole, who = two_poles.a, coordinator()
    made = await client.execute(
        """mutation { createFamily(input: { name: "Famille Commune", communeInsee: "62119" }) {
          family { id commune { inseeCode name departement { code } } } errors { code } } }""",
        tenant=pole,
        actor=who,
    )
    family = made["data"]["createFamily"]["family"]
    assert family["commune"] == {
        "inseeCode": "62119",
        "name": "Béthune",
        "departement": {"code": "62"},
    }
    child = await client.execute(
        """mutation($f: ID!) { addChild(input: {
          familyId: $f, firstName: "Léa", birthDate: "2023-01-02",
          communeInsee: "62498" }) { child { commune { name } communeInsee } errors { code } } }""",
        {"f": family["id"]},
        tenant=pole,
        actor=who,
    )
    assert "errors" not in child, child
    # The deprecated string still answers, for one version.
    assert child["data"]["addChild"]["child"] == {
        "commune": {"name": "Lens"},
        "communeInsee": "62498",
    }
