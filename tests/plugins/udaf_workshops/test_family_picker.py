"""The workshop page's family picker (decision 216): in a pole with more than a hundred
families, the one past the hundredth is found by its name, registered from the form, and
offered to link a newcomer parent to; « Chercher » saves nothing and keeps what was typed.
Through the real app's pages, as the pole's coordinator."""

from __future__ import annotations

import re
from typing import Any

from strawberry import relay

from tests.plugins.crowded import LAST, LAST_PARTNER, crowd, crowd_partners, options, searched
from tests.plugins.udaf_workshops.operations import CONVENTIONS, convention, payload, plan


async def test_a_family_past_the_first_hundred_is_found_and_registered(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    workshop = await plan(graphql, tenant, (await convention(graphql, tenant))["id"])
    last = relay.to_base64("Family", str((await crowd(maillage_db, tenant)).id))
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))
    url = f"/ateliers-udaf/ateliers/{workshop['id']}"

    page = await graphql.http.get(url, headers=headers)
    assert page.status_code == 200, page.text
    listed = options(page.text, "familyId")
    assert len(listed) == 1 + 100 and LAST not in listed
    assert "La liste montre les 100 premières des" in page.text

    # « Chercher »: the list narrowed, the seats typed kept, nothing registered.
    typed = {"form": "register", "familyId": "", "seats": "2", "famille-liste": ""}
    searched = await graphql.http.post(
        url, data={**typed, "famille": "zzz derniere", "chercher": "famille"}, headers=headers
    )
    assert searched.status_code == 200, searched.text
    assert options(searched.text, "familyId") == ["— Un nouveau parent (ci-dessous) —", LAST]
    (seats,) = re.findall(r'<input[^>]*id="seats"[^>]*>', searched.text)
    assert 'value="2"' in seats

    def registrations(answer: dict[str, Any]) -> list[Any]:
        (found,) = payload(answer, "udafWorkshops")["conventions"]
        return [r for w in found["workshops"] for r in w["registrations"]]

    assert registrations(await graphql.execute(CONVENTIONS, {"year": None}, tenant=tenant)) == []

    # Chosen in the narrowed list, the family is registered.
    saved = await graphql.http.post(
        url,
        data={
            **typed,
            "familyId": last,
            "famille": "zzz derniere",
            "famille-liste": "zzz derniere",
        },
        headers=headers,
    )
    assert saved.status_code == 303, saved.text
    (registered,) = registrations(await graphql.execute(CONVENTIONS, {"year": None}, tenant=tenant))
    assert registered["family"] == {"name": LAST}

    # A link from the newcomers' search (?famille=…) lists it too.
    linked = await graphql.http.get(url, params={"famille": "derniere"}, headers=headers)
    assert LAST in options(linked.text, "familyId")


async def test_a_convention_with_a_partner_past_the_first_hundred(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any, maillage_db: Any
) -> None:
    """The new convention's partner, any of the pole's (decision 217): the form listed
    ``partners(first: 100)``; now the one after is found by its name and chosen, and
    « Chercher » keeps the amounts typed and saves nothing."""
    tenant = await make_tenant("63")
    await enable_plugin(tenant, "udaf_workshops")
    last = relay.to_base64("Partner", str((await crowd_partners(maillage_db, tenant)).id))
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))

    page = await graphql.http.get("/ateliers-udaf", headers=headers)
    assert page.status_code == 200, page.text
    assert len(options(page.text, "partnerId")) == 1 + 100
    # (the plugin's own partners besides the 131)
    assert re.search(r"La liste montre les 100 premiers des 1\d\d partenaires", page.text)

    typed = {
        "year": "2026",
        "workshopsPlanned": "6",
        "territory": "Tout le département",
        "funder": "CAF",
        "fundingAmount": "4500",
        "status": "signed",
        "partnerId": "",
        "partenaire-liste": "",
    }
    found = await searched(
        graphql.http, "/ateliers-udaf?annee=2026", headers, typed, "partenaire", "dernier"
    )
    assert options(found, "partnerId") == ["— Choisir —", LAST_PARTNER]
    assert 'value="4500"' in found
    found = await graphql.execute(CONVENTIONS, {"year": 2026}, tenant=tenant)
    assert payload(found, "udafWorkshops")["conventions"] == []

    saved = await graphql.http.post(
        "/ateliers-udaf?annee=2026",
        data={**typed, "partnerId": last, "partenaire": "dernier", "partenaire-liste": "dernier"},
        headers=headers,
    )
    assert saved.status_code == 303, saved.text
    found = await graphql.execute(CONVENTIONS, {"year": 2026}, tenant=tenant)
    (made,) = payload(found, "udafWorkshops")["conventions"]
    assert made["partner"] == {"name": LAST_PARTNER}
