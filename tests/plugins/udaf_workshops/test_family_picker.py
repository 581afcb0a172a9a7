"""The workshop page's family picker (decision 216): in a pole with more than a hundred
families, the one past the hundredth is found by its name, registered from the form, and
offered to link a newcomer parent to; « Chercher » saves nothing and keeps what was typed.
Through the real app's pages, as the pole's coordinator."""

from __future__ import annotations

import re
from typing import Any

from strawberry import relay

from tests.plugins.crowded import LAST, crowd, options
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
