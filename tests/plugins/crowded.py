"""A pole with more families than a form's list shows, for the plugins' pickers
(decision 216), the options a page's ``<select>`` offers, and a list walked page by page."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from core.domain.families.models import Family
from core.domain.structures.models import Partner
from core.territory.names import normalize_name

EXTRA = 130
LAST = "Famille Zzz Dernière (fictif)"


async def crowd(db: Any, tenant: Any) -> Family:
    """``EXTRA`` families named to sort after the demo's, then ``LAST``, which it returns
    (committed: add its children in a session of your own)."""
    async with db.session(tenant.id) as session:
        commune = (await session.execute(select(Family.commune_insee).limit(1))).scalar_one()
        names = [f"Famille Zzz {i:03d} (fictif)" for i in range(EXTRA)] + [LAST]
        rows = [Family(name=n, search_name=normalize_name(n), commune_insee=commune) for n in names]
        session.add_all(rows)
        await session.commit()
        return rows[-1]


LAST_PARTNER = "Zzz Dernier partenaire"


async def crowd_partners(db: Any, tenant: Any) -> Any:
    """``EXTRA`` partners named to sort after any other, then ``LAST_PARTNER``, which it
    returns (decision 218)."""
    async with db.session(tenant.id) as session:
        names = [f"Zzz Partenaire {i:03d}" for i in range(EXTRA)] + [LAST_PARTNER]
        rows = [Partner(name=n, search_name=normalize_name(n), kind="camsp") for n in names]
        session.add_all(rows)
        await session.commit()
        return rows[-1]


async def searched(
    http: Any, url: str, headers: dict[str, str], typed: dict[str, Any], field: str, words: str
) -> str:
    """The page a form comes back as when its picker's « Chercher » (search field
    ``field``) is pressed with ``words`` and the rest as ``typed``: its HTML."""
    page = await http.post(url, data={**typed, field: words, "chercher": field}, headers=headers)
    assert page.status_code == 200, page.text
    return str(page.text)


def options(html: str, select_id: str) -> list[str]:
    """The labels of the options of ``<select id=select_id>``, in order."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, select_id
    return re.findall(r"<option [^>]*>([^<]*)</option>", block.group(0))


async def walk(http: Any, headers: dict[str, str], path: str, item: str, more: str) -> list[str]:
    """What the regular expression ``item`` finds on each page of the list at ``path``,
    page after page by its ``more`` link, as a person would; each page holds 50 at most,
    and those after the first link back to it. Two pages are expected."""
    seen: list[str] = []
    url: str | None = path
    pages = 0
    while url is not None:
        page = await http.get(url, headers=headers)
        assert page.status_code == 200, page.text
        found = re.findall(item, page.text)
        assert 0 < len(found) <= 50, (url, len(found))
        assert ("Première page" in page.text) == (pages > 0)
        seen += found
        pages += 1
        following = re.search(rf'<a href="([^"]+)">{re.escape(more)}</a>', page.text)
        url = html.unescape(following.group(1)) if following else None
    assert pages == 2
    return seen
