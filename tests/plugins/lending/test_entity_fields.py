"""Each of core's eight entities as a field of a plugin's type (``ENTITY.field``): a small
plugin declared here answers core's objects for the ids it is given — the pole's records,
null for another pole's, a person of another pole included (the loaders read through the
pole's session)."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest
import strawberry

from core import sdk
from tests.plugins.lending import plugin
from tests.plugins.lending.test_lookups import _ids


@strawberry.type(description="Les objets du cœur désignés par des identifiants.")
class ReperesSample:
    family_id: strawberry.Private[uuid.UUID]
    child_id: strawberry.Private[uuid.UUID]
    structure_id: strawberry.Private[uuid.UUID]
    organisation_id: strawberry.Private[uuid.UUID]
    partner_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]
    insee: strawberry.Private[str]
    siren: strawberry.Private[str]
    family: sdk.Family | None = sdk.FAMILY.field("family_id")
    child: sdk.Child | None = sdk.CHILD.field("child_id")
    structure: sdk.Structure | None = sdk.STRUCTURE.field("structure_id")
    organisation: sdk.Organisation | None = sdk.ORGANISATION.field("organisation_id")
    partner: sdk.Partner | None = sdk.PARTNER.field("partner_id")
    staff: sdk.StaffMember | None = sdk.STAFF_MEMBER.field("user_id")
    commune: sdk.CommuneNode | None = sdk.COMMUNE.field("insee")
    epci: sdk.EpciNode | None = sdk.EPCI.field("siren")


@sdk.plugin_namespace("reperes", description="Repères (test).")
class ReperesQuery:
    @strawberry.field(extensions=sdk.requires("families.read"))
    def sample(self, ids: sdk.JSON) -> ReperesSample:
        return ReperesSample(
            **{k: uuid.UUID(v) if k not in ("insee", "siren") else v for k, v in ids.items()}
        )


def _plugin() -> ModuleType:
    module = ModuleType(__name__)
    module.manifest = sdk.Plugin(  # type: ignore[attr-defined]
        name="reperes", version="1.0.0", api_version="1.1", title="Repères", description="Test."
    )

    @sdk.hookimpl
    def maillage_graphql() -> sdk.GraphQLContribution:
        return sdk.GraphQLContribution(query=ReperesQuery)

    module.maillage_graphql = maillage_graphql  # type: ignore[attr-defined]
    return module


REPERES = _plugin()
SAMPLE = """query($ids: JSON!) { reperes { sample(ids: $ids) {
  family { name } child { firstName } structure { name } organisation { name }
  partner { name } staff { displayName } commune { name } epci { name } } } }"""


@pytest.fixture
def maillage_plugins() -> list[object]:
    return [plugin, REPERES]


async def test_each_entity_field_answers_its_poles_object_and_null_for_anothers(
    make_tenant: Any, enable_plugin: Any, maillage_db: Any, graphql: Any, make_actor: Any
) -> None:
    a, b = await make_tenant("62"), await make_tenant("63")
    for pole in (a, b):
        await enable_plugin(pole, "reperes")
        assert "errors" not in await graphql.execute(
            "{ viewer { displayName } }", tenant=pole, actor=make_actor()
        )
    async with maillage_db.session(a.id) as session:
        commune = await sdk.find_commune(session, "63113", field="insee")
    places = {"insee": commune.id, "siren": str(commune.epci_siren)}
    mine, theirs = await _ids(maillage_db, a), await _ids(maillage_db, b)

    def ids(found: dict[str, Any]) -> dict[str, str]:
        return {
            "family_id": str(found["family"]),
            "child_id": str(found["child"]),
            "structure_id": str(found["structure"]),
            "organisation_id": str(found["organisation"]),
            "partner_id": str(found["partner"]),
            "user_id": str(found["staff_member"]),
            **places,
        }

    seen = await graphql.execute(SAMPLE, {"ids": ids(mine)}, tenant=a)
    assert "errors" not in seen, seen
    sample = seen["data"]["reperes"]["sample"]
    assert all(sample[k] for k in sample), sample
    assert sample["commune"] == {"name": "Clermont-Ferrand"}

    other = await graphql.execute(SAMPLE, {"ids": ids(theirs)}, tenant=a)
    sample = other["data"]["reperes"]["sample"]
    pole_records = ("family", "child", "structure", "organisation", "partner", "staff")
    assert all(sample[k] is None for k in pole_records), sample
    assert sample["commune"] == {"name": "Clermont-Ferrand"}  # shared reference data
