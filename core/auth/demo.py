"""Demo accounts: one per role in each demo pole, and one person in every pole.

Addresses use the reserved ``.example`` domain; the password is public (README) and
the demo only. Idempotent: running the seed again changes nothing.

They are written only in a session that the demo seed opened (``core.demo.seed``,
which refuses production mode) and marked with ``mark_demo_session``: an account
with the public password cannot reach a production database by another path, a
plugin's hook or a future command (decision 81).
"""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import ActionRegistry
from core.access.roles import NETWORK_ROLES, ROLES
from core.auth.memberships import membership_in
from core.auth.models import Membership, User
from core.auth.passwords import hash_password
from core.errors import ConfigurationError
from core.tenancy.models import Tenant

DEMO_PASSWORD = "maillage-demo"
DEMO_DOMAIN = "maillage.example"
MULTI_POLE_EMAIL = f"coordination@{DEMO_DOMAIN}"

# Who each demo account is (names are fictitious).
DEMO_NAMES = {
    "platform_admin": "Exploitation de la plateforme",
    "pole_admin": "Claire Martin (administratrice)",
    "coordinator": "Sophie Bernard (coordinatrice)",
    "staff": "Julien Petit (chargé de mission)",
    "psychologist": "Nadia Robert (psychologue)",
    "referent": "Émilie Richard (référente)",
    "partner_structure": "Crèche Les Lutins (structure partenaire)",
    "family": "Famille Durand",
    "sitter": "Inès Lambert (intervenante de garde à domicile)",
    "network_analyst": "Réseau national (analyste)",
    "network_coordinator": "Réseau national (coordination)",
}


def demo_email(role: str, tenant_slug: str) -> str:
    return f"{role.replace('_', '-')}@{tenant_slug}.{DEMO_DOMAIN}"


@functools.cache
def _demo_hash() -> str:
    return hash_password(DEMO_PASSWORD)


async def _user(session: AsyncSession, email: str, name: str) -> User:
    user = (await session.execute(select(User).where(User.email == email))).scalar()
    if user is None:
        user = User(email=email, display_name=name, status="active", password_hash=_demo_hash())
        session.add(user)
        await session.flush()
    return user


# The demo care team holds the explicit grants on sensitive data, so the demo shows both
# sides: a staff member or a pole admin sees null and FORBIDDEN on the same fields.
DEMO_GRANTS = {
    "coordinator": ["children.health", "families.situation", "gdpr.manage"],
    "psychologist": ["children.health", "families.situation"],
}


async def _member(session: AsyncSession, user: User, roles: list[str]) -> None:
    network = [r for r in roles if r in NETWORK_ROLES]
    if network:
        # The network's roles sit on the account, never in a pole (decision 151).
        user.network_role = network[0]
        return
    if await membership_in(session, user.id, active_only=False) is None:
        grants = sorted({g for role in roles for g in DEMO_GRANTS.get(role, [])})
        session.add(Membership(user_id=user.id, roles=roles, grants=grants, invited_by="demo"))


DEMO_SESSION_KEY = "maillage.demo_seed"
DEMO_REFUSED = (
    "les données de démonstration (dont des comptes au mot de passe public) sont "
    "interdites en mode production : rien n'a été écrit"
)


def mark_demo_session(session: AsyncSession) -> None:
    """Allow demo accounts in ``session``: only the demo seed does it, after it has
    checked the mode."""
    session.info[DEMO_SESSION_KEY] = True


async def seed_accounts(tenant: Tenant, session: AsyncSession) -> None:
    """In the pole's session: its demo accounts and memberships."""
    if not session.info.get(DEMO_SESSION_KEY):
        raise ConfigurationError(DEMO_REFUSED, field="MAILLAGE_MODE")
    for role in ROLES:
        user = await _user(session, demo_email(role, tenant.slug), DEMO_NAMES[role])
        await _member(session, user, [role])
    multi = await _user(session, MULTI_POLE_EMAIL, "Camille Moreau (coordination, deux pôles)")
    await _member(session, multi, ["coordinator"])
    await session.flush()


DEMO_ACCOUNTS_START = "<!-- demo-accounts:start (maillage roles --write README.md) -->"
DEMO_ACCOUNTS_END = "<!-- demo-accounts:end -->"


def _holds(registry: ActionRegistry, role: str) -> list[str]:
    """What a demo account of ``role`` holds: its role's actions, and the sensitive ones
    the demo grants it explicitly, grouped by area (``kits (manage, read)``)."""
    granted = set(DEMO_GRANTS.get(role, []))
    areas: dict[str, list[str]] = {}
    for name in sorted(registry.actions):
        action = registry.actions[name]
        if role in action.default_roles and (not action.sensitive or name in granted):
            area, _, verb = name.partition(".")
            areas.setdefault(area, []).append(verb)
    return [f"{area} ({', '.join(verbs)})" for area, verbs in areas.items()]


def demo_accounts_block(registry: ActionRegistry) -> str:
    """The README's table of demo accounts, generated from the demo seed and the role ×
    action table, so it can never say what the demo does not do."""
    lines = [
        DEMO_ACCOUNTS_START,
        "| Account | Role | Actions it holds in the demo (details: docs/roles.md) |",
        "|---|---|---|",
    ]
    for role in ROLES:
        holds = _holds(registry, role)
        lines.append(
            f"| `{demo_email(role, '<pole>')}` | `{role}` | "
            + ("; ".join(holds) if holds else "none: the pole's data answers `FORBIDDEN`")
            + " |"
        )
    lines.append(
        f"| `{MULTI_POLE_EMAIL}` | `coordinator` in **both** poles | The same as "
        "`coordinator`, in the pole it chooses: `switchTenant(pole: …)` or the "
        "`X-Maillage-Tenant` header. |"
    )
    lines.append(DEMO_ACCOUNTS_END)
    return "\n".join(lines)
