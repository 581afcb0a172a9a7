"""Load the shipped territory files into the reference tables, idempotently.

The files' checksum is recorded in ``reference_datasets``: loading the same files
again does nothing; new files replace the rows in one transaction (communes
referenced by pole data are updated in place, never deleted and re-created).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.territory.models import (
    Commune,
    CommunePostalCode,
    Departement,
    Epci,
    ReferenceDataset,
    Region,
)
from core.territory.names import normalize_name

DATASET = "territory"
FILES = ("regions", "departements", "epci", "communes")
_BATCH = 2000


@dataclass(frozen=True)
class LoadReport:
    loaded: bool
    checksum: str
    counts: dict[str, int]


def _read(name: str) -> bytes:
    return resources.files("core.territory").joinpath(f"data/{name}.csv.gz").read_bytes()


def _rows(raw: bytes) -> Iterator[dict[str, str]]:
    with gzip.open(io.BytesIO(raw), "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def shipped_checksum() -> str:
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(_read(name))
    return digest.hexdigest()


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


Progress = Callable[[int], None]


def _silent(_rows: int) -> None:
    return None


async def _upsert(
    session: AsyncSession,
    model: Any,
    key: str,
    rows: list[dict[str, Any]],
    advance: Progress = _silent,
) -> None:
    """Insert new keys, update existing ones, delete keys no longer shipped."""
    existing = set((await session.execute(select(getattr(model, key)))).scalars())
    fresh = [r for r in rows if r[key] not in existing]
    stale = [r for r in rows if r[key] in existing]
    for batch in _batches(fresh):
        await session.execute(insert(model), batch)
        advance(len(batch))
    if stale:
        await session.execute(update(model), stale)
    advance(len(stale))
    gone = existing - {r[key] for r in rows}
    if gone:
        await session.execute(delete(model).where(getattr(model, key).in_(gone)))


async def load_territory(
    session: AsyncSession,
    *,
    force: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Load (or refresh) the territory tables; the caller commits. ``on_progress(done,
    total)`` hears of each batch of rows written (the CLI's progress bar)."""
    checksum = shipped_checksum()
    current = await session.get(ReferenceDataset, DATASET)
    if current is not None and current.checksum == checksum and not force:
        return LoadReport(False, checksum, {"communes": current.rows})

    regions = [{"code": r["code"], "name": r["name"]} for r in _rows(_read("regions"))]
    departements = [
        {
            "code": r["code"],
            "name": r["name"],
            "region_code": r["region"],
            "chef_lieu_insee": r["chef_lieu"],
        }
        for r in _rows(_read("departements"))
    ]
    epcis = [
        {
            "siren": r["siren"],
            "name": r["name"],
            "search_name": normalize_name(r["name"]),
            "kind": r["kind"],
            "population": int(r["population"] or 0),
        }
        for r in _rows(_read("epci"))
    ]
    communes: list[dict[str, Any]] = []
    postal: list[dict[str, Any]] = []
    for r in _rows(_read("communes")):
        communes.append(
            {
                "insee_code": r["insee_code"],
                "name": r["name"],
                "search_name": normalize_name(r["name"]),
                "departement_code": r["departement"],
                "region_code": r["region"],
                "epci_siren": r["epci"] or None,
                "population": int(r["population"] or 0),
            }
        )
        for code in sorted(set(r["postal_codes"].split())):
            postal.append({"postal_code": code, "insee_code": r["insee_code"]})

    total = len(regions) + len(departements) + len(epcis) + len(communes) + len(postal)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if on_progress is not None:
            on_progress(done, total)

    # Parents before children; postal codes are rebuilt whole (nothing points at them).
    await session.execute(delete(CommunePostalCode))
    await _upsert(session, Region, "code", regions, advance)
    await _upsert(session, Departement, "code", departements, advance)
    await _upsert(session, Epci, "siren", epcis, advance)
    await _upsert(session, Commune, "insee_code", communes, advance)
    for batch in _batches(postal):
        await session.execute(insert(CommunePostalCode), batch)
        advance(len(batch))

    if current is None:
        session.add(ReferenceDataset(name=DATASET, checksum=checksum, rows=len(communes)))
    else:
        current.checksum, current.rows = checksum, len(communes)
    await session.flush()
    return LoadReport(
        True,
        checksum,
        {
            "regions": len(regions),
            "departements": len(departements),
            "epci": len(epcis),
            "communes": len(communes),
            "postal_codes": len(postal),
        },
    )
