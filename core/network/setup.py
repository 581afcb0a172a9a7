"""Defining the network on the install: its name and threshold, the poles that take
part, the catalogue's versions and the people's network roles. The operator runs it
from the CLI (``maillage network …``); the demo seeds it the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.roles import NETWORK_ROLES
from core.auth.models import User
from core.contributions import IndicatorSpec
from core.errors import NotFoundError, ValidationError
from core.network.catalogue import CatalogueEntry, check_entries
from core.network.models import Network, NetworkCatalogue, NetworkPole
from core.network.protection.engine import MAX_K
from core.tenancy.models import PlatformAuditEvent, Tenant
from core.territory.models import Departement


def _audit(session: AsyncSession, actor: str, kind: str, what: str) -> None:
    session.add(PlatformAuditEvent(kind=kind, actor=actor, reason=what))


async def define_network(session: AsyncSession, *, name: str, k: int = 11, actor: str) -> Network:
    """Create the install's network, or rename it and change its threshold."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError("un nom de 1 à 200 caractères", field="name")
    if isinstance(k, bool) or not 2 <= k <= MAX_K:
        raise ValidationError(f"le seuil k est un entier de 2 à {MAX_K}", field="k")
    network = (await session.execute(select(Network).limit(1))).scalar()
    if network is None:
        network = Network(name=name, k=k)
        session.add(network)
    else:
        network.name, network.k = name, k
    await session.flush()
    _audit(session, actor, "network.define", f"réseau « {name} », k = {k}")
    return network


async def add_pole(
    session: AsyncSession,
    network: Network,
    *,
    code: str,
    name: str,
    departement: str,
    local: Tenant | None = None,
    actor: str,
) -> NetworkPole:
    """A pole joins the network (idempotent on its code)."""
    code = code.strip()
    if not code or len(code) > 63:
        raise ValidationError("un code de 1 à 63 caractères", field="code")
    if await session.get(Departement, departement) is None:
        raise ValidationError(f"département inconnu : {departement}", field="departement")
    pole = (
        await session.execute(
            select(NetworkPole).where(
                NetworkPole.network_id == network.id, NetworkPole.code == code
            )
        )
    ).scalar()
    if pole is None:
        pole = NetworkPole(network_id=network.id, code=code)
        session.add(pole)
    pole.name, pole.departement_code = name.strip() or code, departement
    pole.local_pole_id = local.id if local is not None else None
    await session.flush()
    _audit(session, actor, "network.pole", f"pôle {code} ({departement}) dans le réseau")
    return pole


async def set_catalogue(
    session: AsyncSession,
    network: Network,
    entries: Sequence[CatalogueEntry],
    figures: Mapping[str, IndicatorSpec],
    *,
    actor: str,
    now: dt.datetime,
) -> NetworkCatalogue:
    """A new version of the catalogue (the same entries as the current one: no new
    version)."""
    checked = [e.as_json() for e in check_entries(entries, figures)]
    current = (
        await session.execute(
            select(NetworkCatalogue)
            .where(NetworkCatalogue.network_id == network.id)
            .order_by(NetworkCatalogue.version.desc())
            .limit(1)
        )
    ).scalar()
    if current is not None and current.entries == checked:
        return current
    version = (
        await session.execute(
            select(func.coalesce(func.max(NetworkCatalogue.version), 0)).where(
                NetworkCatalogue.network_id == network.id
            )
        )
    ).scalar_one() + 1
    catalogue = NetworkCatalogue(
        network_id=network.id, version=version, entries=checked, created_by=actor, created_at=now
    )
    session.add(catalogue)
    await session.flush()
    _audit(session, actor, "network.catalogue", f"catalogue version {version}")
    return catalogue


async def set_network_role(
    session: AsyncSession, email: str, role: str | None, *, actor: str
) -> User:
    if role is not None and role not in NETWORK_ROLES:
        raise ValidationError(
            f"rôle du réseau attendu : {', '.join(sorted(NETWORK_ROLES))}", field="role"
        )
    user = (await session.execute(select(User).where(User.email == email.strip().lower()))).scalar()
    if user is None:
        raise NotFoundError(f"aucun compte pour {email}", field="email")
    user.network_role = role
    await session.flush()
    _audit(session, actor, "network.role", f"compte {user.id} : rôle réseau {role or 'aucun'}")
    return user
