"""The request form's list of children in a pole of any size (decision 216): the children
of the first hundred families by name, the others found by a search on the family's name;
« Chercher » saves nothing and keeps what was typed; the child chosen stays in the list.
Through the real app's pages, as the pole's coordinator."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from strawberry import relay

from core.domain.families.models import Child
from tests.plugins.crowded import LAST, crowd, options
from tests.plugins.handisitting.operations import pole

URL = "/handisitting/demandes/nouvelle"
REQUESTS = "{ handisitting { requests(first: 10) { edges { node { child { firstName } } } } } }"


def value_of(html: str, label: str) -> str:
    found = re.search(rf'<option value="([^"]+)"[^>]*>{re.escape(label)}</option>', html)
    assert found, label
    return found.group(1)


async def _crowd(db: Any, tenant: Any) -> None:
    """More families than the list shows; the last with a child, Zoé."""
    last = await crowd(db, tenant)
    async with db.session(tenant.id) as session:
        session.add(
            Child(
                family_id=last.id,
                first_name="Zoé",
                birth_date=dt.date(2020, 5, 1),
                commune_insee=last.commune_insee,
            )
        )
        await session.commit()


async def test_a_child_of_a_family_past_the_first_hundred_is_found_and_asked_for(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any, maillage_db: Any
) -> None:
    tenant = await pole(make_tenant, enable_plugin)
    await _crowd(maillage_db, tenant)
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))
    zoe = f"Zoé ({LAST})"

    page = await graphql.http.get(URL, headers=headers)
    assert page.status_code == 200, page.text
    assert zoe not in options(page.text, "child")
    assert "La liste montre les 100 premières des" in page.text

    typed = {
        "child": "",
        "needs": "Une fiche tapée avant de chercher.",
        "firstOn": "2027-01-09",
        "startsAt": "14:00",
        "endsAt": "17:30",
        "weekly": "non",
        "famille-liste": "",
    }
    searched = await graphql.http.post(
        URL, data={**typed, "famille": "zzz derniere", "chercher": "famille"}, headers=headers
    )
    assert searched.status_code == 200, searched.text
    assert options(searched.text, "child") == ["— Choisir —", zoe]
    assert "1 famille pour « zzz derniere »." in searched.text
    assert "Une fiche tapée avant de chercher." in searched.text
    answer = await graphql.execute(REQUESTS, tenant=tenant)
    assert answer["data"]["handisitting"]["requests"]["edges"] == []

    # Chosen, then another search that no longer lists her family: she stays first.
    chosen = value_of(searched.text, zoe)
    family_id = chosen.partition("|")[0]
    assert relay.from_base64(family_id)[0] == "Family"
    again = await graphql.http.post(
        URL,
        data={**typed, "child": chosen, "famille": "zzz 001", "chercher": "famille"},
        headers=headers,
    )
    assert options(again.text, "child")[:2] == ["— Choisir —", zoe]

    saved = await graphql.http.post(
        URL,
        data={**typed, "child": chosen, "famille": "zzz", "famille-liste": "zzz"},
        headers=headers,
    )
    assert saved.status_code == 303, saved.text
    answer = await graphql.execute(REQUESTS, tenant=tenant)
    (request,) = answer["data"]["handisitting"]["requests"]["edges"]
    assert request["node"]["child"] == {"firstName": "Zoé"}
