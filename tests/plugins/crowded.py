"""A pole with more families than a form's list shows, for the plugins' pickers
(decision 216), and the options a page's ``<select>`` offers."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from core.domain.families.models import Family
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


def options(html: str, select_id: str) -> list[str]:
    """The labels of the options of ``<select id=select_id>``, in order."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, select_id
    return re.findall(r"<option [^>]*>([^<]*)</option>", block.group(0))
