"""Every look-up of ``core.sdk`` finds its pole's record and answers another pole's
exactly as core does (NOT_FOUND « introuvable dans ce pôle » naming the field); a commune
or an EPCI that does not exist is VALIDATION naming the field; a person of another pole is
not a staff member here; a person without ``families.read`` gets no family through a
plugin's field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core import sdk
from core.auth.models import Membership
from core.domain.kits.models import Kit
from core.domain.structures.models import Organisation, Partner, Structure
from core.errors import NotFoundError, ValidationError
from tests.plugins.lending.test_core_entities import LEND, LOANS, _families, _pole


async def _ids(db: Any, tenant: Any) -> dict[str, Any]:
    async with db.session(tenant.id) as session:
        # core's demo has no kit catalogue: one kit of the pole's own.
        session.add(Kit(name="Malle sensorielle", search_name="malle sensorielle", theme="sensory"))
        await session.commit()
        family = (await sdk.list_families(session, limit=1))[0]
        return {
            "family": family.id,
            "child": (await sdk.list_children(session, family.id))[0].id,
            "structure": await session.scalar(select(Structure.id).limit(1)),
            "organisation": await session.scalar(select(Organisation.id).limit(1)),
            "partner": await session.scalar(select(Partner.id).limit(1)),
            "kit": await session.scalar(select(Kit.id).limit(1)),
            "staff_member": await session.scalar(select(Membership.user_id).limit(1)),
        }


FINDERS = {
    "family": sdk.find_family,
    "child": sdk.find_child,
    "structure": sdk.find_structure,
    "organisation": sdk.find_organisation,
    "partner": sdk.find_partner,
    "kit": sdk.find_kit,
    "staff_member": sdk.find_staff_member,
}


async def test_each_lookup_finds_its_poles_record_and_not_anothers(
    make_tenant: Any, maillage_db: Any, graphql: Any, make_actor: Any
) -> None:
    a, b = await make_tenant("62"), await make_tenant("63")
    for pole in (a, b):  # a signed request gives each pole a member of its own
        viewer = await graphql.execute(
            "{ viewer { displayName } }", tenant=pole, actor=make_actor()
        )
        assert "errors" not in viewer
    mine, theirs = await _ids(maillage_db, a), await _ids(maillage_db, b)
    assert all(mine.values()) and all(theirs.values()), (mine, theirs)

    async with maillage_db.session(a.id) as session:
        for entity, find in FINDERS.items():
            found = await find(session, mine[entity], field=f"{entity}Id")
            assert found.id == mine[entity]
            # By global id too, as core's arguments accept.
            global_id = sdk.relay.to_base64("Whatever", str(mine[entity]))
            assert (await find(session, global_id, field="x")).id == mine[entity]
            for wrong in (theirs[entity], "pas-un-id"):
                with pytest.raises(NotFoundError) as refused:
                    await find(session, wrong, field=f"{entity}Id")
                assert (refused.value.field, refused.value.message) == (
                    f"{entity}Id",
                    "introuvable dans ce pôle",
                )

        commune = await sdk.find_commune(session, "63113", field="communeInsee")
        assert commune.name == "Clermont-Ferrand" and commune.epci_siren
        epci = await sdk.find_epci(session, commune.epci_siren, field="epciSiren")
        assert epci.id == commune.epci_siren
        for find, code, field in (
            (sdk.find_commune, "99999", "communeInsee"),
            (sdk.find_epci, "000000000", "epciSiren"),
        ):
            with pytest.raises(ValidationError) as unknown:
                await find(session, code, field=field)
            assert unknown.value.field == field


async def test_a_plugin_shows_no_family_to_a_person_without_families_read(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    pole = await _pole(make_tenant, enable_plugin)
    family = (await _families(graphql, pole))[0]
    await graphql.execute(LEND, {"f": family["id"], "item": "Rampe"}, tenant=pole)

    outsider = make_actor("referent", grants=["lending.read"])
    answer = await graphql.execute(LOANS, tenant=pole, actor=outsider)
    codes = {e["extensions"]["code"] for e in answer.get("errors", [])}
    assert "FORBIDDEN" in codes, answer
    assert "Famille" not in str(answer.get("data"))
