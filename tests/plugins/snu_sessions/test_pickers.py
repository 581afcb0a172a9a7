"""The kits an SNU day took and the partners who ran a group, chosen past the pole's
first hundred (decision 218, the kits' and partners' pickers of core's forms): the form
lists a hundred with the hint to search, a search finds the one after, « Chercher »
saves nothing and keeps what was typed, the record is saved with it; correcting it keeps
it ticked, first. And the year's days, listed to the last. Through the real app's pages,
as the pole's coordinator. (Before: the forms offered ``kits(first: 100)`` and
``partners(first: 100)``, the list its first hundred days, and nothing else.)"""

from __future__ import annotations

import re
from typing import Any

from strawberry import relay

from core.domain.kits.models import Kit
from core.territory.names import normalize_name
from tests.plugins.crowded import LAST_PARTNER, crowd_partners, searched, walk
from tests.plugins.snu_sessions.operations import (
    ARRAS,
    RECORD_SESSION,
    SESSION,
    ok,
    payload,
    record_session,
    session_input,
)

EXTRA = 130
LAST = "Malle Zzz Dernière"
SESSIONS = """query { snuSessions { sessions(first: 10) { edges { node { id
  materials { id name } } } } } }"""


async def _crowd(db: Any, tenant: Any) -> str:
    """``EXTRA`` kits named to sort after any other, then ``LAST`` (its global id)."""
    async with db.session(tenant.id) as session:
        names = [f"Malle Zzz {i:03d}" for i in range(EXTRA)] + [LAST]
        rows = [Kit(name=n, search_name=normalize_name(n), theme="motor") for n in names]
        session.add_all(rows)
        await session.commit()
        return relay.to_base64("Kit", str(rows[-1].id))


def _ticks(page: str, field: str = "kitIds") -> dict[str, bool]:
    """The checkboxes of ``field``: label → ticked."""
    found = {}
    for box, label in re.findall(
        rf'(<input type="checkbox" id="{field}-\d+"[^>]*>)\s*<label [^>]*>([^<]*)</label>', page
    ):
        found[label] = " checked" in box
    return found


async def test_a_kit_past_the_first_hundred_is_found_and_taken(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    last = await _crowd(maillage_db, tenant)
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))

    page = await graphql.http.get("/snu/nouvelle", headers=headers)
    assert page.status_code == 200, page.text
    assert len(_ticks(page.text)) == 100 and LAST not in _ticks(page.text)
    assert "La liste montre les 100 premières des 131 malles" in page.text

    typed = {
        "centre": "Lycée Robespierre",
        "commune": ARRAS,
        "startsOn": "2026-03-10",
        "endsOn": "",
        "methods": ["quiz"],
        "objectives": ["missions"],
        "notes": "",
        "malle-liste": "",
    }
    found = await searched(graphql.http, "/snu/nouvelle", headers, typed, "malle", "zzz derniere")
    assert _ticks(found) == {LAST: False}
    assert 'value="Lycée Robespierre"' in found  # what was typed, kept
    sessions = payload(await graphql.execute(SESSIONS, tenant=tenant), "snuSessions")["sessions"]
    assert sessions["edges"] == []  # nothing saved

    saved = await graphql.http.post(
        "/snu/nouvelle",
        data={**typed, "kitIds": [last], "malle": "zzz derniere", "malle-liste": "zzz derniere"},
        headers=headers,
    )
    assert saved.status_code == 303, saved.text
    sessions = payload(await graphql.execute(SESSIONS, tenant=tenant), "snuSessions")["sessions"]
    (day,) = [e["node"] for e in sessions["edges"]]
    assert day["materials"] == [{"id": last, "name": LAST}]

    # Correcting the day: its kit ticked first, though the list shows the first hundred.
    edit = await graphql.http.get(f"/snu/sessions/{day['id']}/corriger", headers=headers)
    assert edit.status_code == 200, edit.text
    ticks = _ticks(edit.text)
    assert ticks[LAST] is True and next(iter(ticks)) == LAST and len(ticks) == 101
    shown = payload(await graphql.execute(SESSION, {"id": day["id"]}, tenant=tenant), "snuSessions")
    assert shown["session"]["materials"] == [{"id": last, "name": LAST}]


async def test_a_partner_past_the_first_hundred_runs_a_group(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any, maillage_db: Any
) -> None:
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    last = relay.to_base64("Partner", str((await crowd_partners(maillage_db, tenant)).id))
    day = ok(
        await graphql.execute(RECORD_SESSION, {"input": session_input()}, tenant=tenant),
        "snuSessionsRecordSession",
    )["session"]
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))
    url = f"/snu/sessions/{day['id']}"

    page = await graphql.http.get(url, headers=headers)
    assert page.status_code == 200, page.text
    assert len(_ticks(page.text, "partnerIds")) == 100
    assert "La liste montre les 100 premiers des 131 partenaires" in page.text

    typed = {"formulaire": "groupe", "name": "Maisonnée A", "size": "12", "partenaire-liste": ""}
    found = await searched(graphql.http, url, headers, typed, "partenaire", "dernier")
    assert _ticks(found, "partnerIds") == {LAST_PARTNER: False}
    assert 'value="Maisonnée A"' in found
    shown = payload(await graphql.execute(SESSION, {"id": day["id"]}, tenant=tenant), "snuSessions")
    assert shown["session"]["groups"] == []  # nothing saved

    saved = await graphql.http.post(
        url,
        data={
            **typed,
            "partnerIds": [last],
            "partenaire": "dernier",
            "partenaire-liste": "dernier",
        },
        headers=headers,
    )
    assert saved.status_code == 303, saved.text
    shown = payload(await graphql.execute(SESSION, {"id": day["id"]}, tenant=tenant), "snuSessions")
    (group,) = shown["session"]["groups"]
    assert [f["partner"] for f in group["facilitators"]] == [{"name": LAST_PARTNER}]

    # Correcting the group: its partner ticked, first.
    edit = await graphql.http.get(f"{url}/groupes/{group['id']}/corriger", headers=headers)
    assert edit.status_code == 200, edit.text
    ticks = _ticks(edit.text, "partnerIds")
    assert next(iter(ticks)) == LAST_PARTNER and ticks[LAST_PARTNER] is True


async def test_the_days_of_a_year_are_listed_to_the_last(
    make_tenant: Any, enable_plugin: Any, graphql: Any, make_actor: Any
) -> None:
    """The year's days on « Journées SNU » page by 50 to the last (decision 218; it showed
    the first hundred), the year kept in the next page's link."""
    tenant = await make_tenant("62")
    await enable_plugin(tenant, "snu_sessions")
    for i in range(60):
        await record_session(graphql, tenant, centre=f"Centre Zz{i:03d}")
    headers = await graphql.auth_headers(tenant, make_actor("coordinator"))
    year = session_input()["startsOn"][:4]
    seen = await walk(
        graphql.http,
        headers,
        f"/snu?annee={year}",
        r'<a href="/snu/sessions/[^"]+">Centre (Zz\d{3})</a>',
        "Journées suivantes",
    )
    assert sorted(seen) == [f"Zz{i:03d}" for i in range(60)]
