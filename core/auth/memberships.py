"""Memberships: who works in which pole, with which roles and grants.

Read on each request (``membership_in``); listed across poles only for the person
themselves (``memberships_of``, an identity session); changed by a pole admin
(action ``members.manage``): invitations, roles, grants, deactivation — each change
audited in the pole and in the security log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Actor
from core.access.roles import NETWORK_ROLES, ROLES
from core.audit.trail import record
from core.auth import mail
from core.auth.models import MailMessage, Membership, OneTimeToken, User
from core.auth.secrets import digest, new_token
from core.auth.security import security_event
from core.auth.service import AuthService
from core.errors import ConflictError, NotFoundError, ValidationError
from core.tenancy.models import Tenant


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    user: User
    # The one-time link (None for a person who already has an account), shown to the
    # operator who asked for it instead of a mail (``members invite --print-link``).
    link: str | None
    mail: MailMessage | None


@dataclass(frozen=True)
class MembershipView:
    tenant: Tenant
    membership: Membership


def normalise_email(email: str, field: str = "email") -> str:
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > 254 or " " in value:
        raise ValidationError(f"adresse électronique invalide : {email!r}", field=field)
    return value


def check_roles(roles: Iterable[str], field: str = "roles") -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError(f"rôle(s) inconnu(s) : {', '.join(unknown)}", field=field)
    network = [r for r in roles if r in NETWORK_ROLES]
    if network:
        # A pole cannot make someone the network's: that role sits on the account,
        # given by the install's operator (maillage network member).
        raise ValidationError(
            f"rôle du réseau national, qui ne se donne pas dans un pôle : {', '.join(network)}",
            field=field,
        )
    if not roles:
        raise ValidationError("au moins un rôle", field=field)
    return roles


def check_grants(auth: AuthService, grants: Iterable[str], field: str = "grants") -> list[str]:
    grants = sorted(set(grants))
    for name in grants:
        action = auth.actions.actions.get(name)
        if action is None or not action.sensitive:
            raise ValidationError(
                f"{name} n'est pas une action sensible déclarée (seules elles s'accordent "
                "explicitement)",
                field=field,
            )
    return grants


async def membership_in(
    session: AsyncSession, user_id: uuid.UUID, *, active_only: bool = True
) -> Membership | None:
    """The user's membership in the session's pole (tenant session)."""
    statement = select(Membership).where(Membership.user_id == user_id)
    if active_only:
        statement = statement.where(Membership.active.is_(True))
    return (await session.execute(statement)).scalar()


async def memberships_of(auth: AuthService, user_id: uuid.UUID) -> list[MembershipView]:
    """Every active membership of a person, with its pole (identity session)."""
    async with auth.db.identity_session(user_id) as session:
        rows = (
            await session.execute(
                select(Membership, Tenant)
                .join(Tenant, Tenant.id == Membership.tenant_id)
                .where(Membership.active.is_(True), Tenant.active.is_(True))
                .order_by(Tenant.slug)
            )
        ).all()
    return [MembershipView(tenant, membership) for membership, tenant in rows]


async def invite(
    auth: AuthService,
    session: AsyncSession,
    tenant: Tenant,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    roles: Sequence[str],
    send_mail: bool = True,
) -> Invitation:
    """Add a member to the pole (tenant session). A new person gets an account
    awaiting its password and an invitation link; a known person gets the membership
    and a notice. Refused if already a member. With ``send_mail=False`` nothing is
    queued: the caller hands the returned link over itself."""
    auth.actions.require(actor, "members.manage")
    address = normalise_email(email)
    roles = check_roles(roles)
    if not display_name.strip():
        raise ValidationError("nom affiché requis", field="displayName")
    user = (await session.execute(select(User).where(User.email == address))).scalar()
    existing = await membership_in(session, user.id, active_only=False) if user else None
    if existing is not None and (user is None or user.status != "invited"):
        raise ConflictError("cette personne est déjà membre du pôle", field="email")
    new_account = user is None
    if user is None:
        user = User(email=address, display_name=display_name.strip(), status="invited")
        session.add(user)
        await session.flush()
    if existing is not None:
        # Invited but no password yet (the link expired or got lost): send a new link.
        membership = existing
    else:
        membership = Membership(user_id=user.id, roles=roles, grants=[], invited_by=actor.subject)
        session.add(membership)
        await session.flush()
    link = None
    if new_account or user.status == "invited":
        token = new_token("mi_")
        session.add(
            OneTimeToken(
                user_id=user.id,
                purpose="invitation",
                token_hash=digest(token),
                pole_id=tenant.id,
                created_at=auth.now(),
                expires_at=auth.now() + auth.config.invitation_ttl,
            )
        )
        link = f"{auth.config.issuer}/auth/invitation?token={token}"
        body = (
            f"Bonjour,\n\n{actor.display_name} vous invite à rejoindre « {tenant.name} » "
            f"sur maillage.\n\nChoisissez votre mot de passe en suivant ce lien "
            f"(valable {auth.config.invitation_ttl.days} jours, une seule fois) :\n{link}\n"
        )
    else:
        body = (
            f"Bonjour,\n\n{actor.display_name} vous a ajouté·e au pôle « {tenant.name} » sur "
            f"maillage. Vous le trouverez dans la liste de vos pôles à la prochaine "
            f"connexion : {auth.config.issuer}/auth/login\n"
        )
    message = (
        mail.queue(session, to=address, subject=f"Invitation : {tenant.short_name}", body=body)
        if send_mail
        else None
    )
    record(
        session,
        actor=actor.subject,
        action="members.invite",
        object_type="Member",
        object_id=str(membership.id),
        fields=["email", "displayName", "roles"],
    )
    security_event(
        session,
        "invitation_sent" if send_mail else "invitation_link_issued",
        user_id=user.id,
        tenant_id=tenant.id,
        detail=actor.subject,
    )
    return Invitation(membership, user, link, message)


async def update(
    auth: AuthService,
    session: AsyncSession,
    actor: Actor,
    membership_id: uuid.UUID,
    *,
    roles: Sequence[str] | None = None,
    grants: Sequence[str] | None = None,
    active: bool | None = None,
) -> Membership:
    """Change a member's roles, grants or active flag (tenant session)."""
    auth.actions.require(actor, "members.manage")
    membership = (
        await session.execute(select(Membership).where(Membership.id == membership_id))
    ).scalar()
    if membership is None:
        raise NotFoundError("membre introuvable dans ce pôle", field="id")
    changed: list[str] = []
    if roles is not None:
        new_roles = check_roles(roles)
        if new_roles != sorted(membership.roles):
            membership.roles, changed = new_roles, [*changed, "roles"]
    if grants is not None:
        new_grants = check_grants(auth, grants)
        if new_grants != sorted(membership.grants):
            membership.grants, changed = new_grants, [*changed, "grants"]
    if active is not None and active != membership.active:
        membership.active, changed = active, [*changed, "active"]
    if actor.user_id == membership.user_id and (
        "active" in changed or ("roles" in changed and "pole_admin" not in membership.roles)
    ):
        raise ValidationError(
            "un administrateur ne peut ni se désactiver ni se retirer le rôle "
            "d'administrateur (demandez à un autre administrateur du pôle)",
            field="roles" if "roles" in changed else "active",
        )
    if changed:
        record(
            session,
            actor=actor.subject,
            action="members.update",
            object_type="Member",
            object_id=str(membership.id),
            fields=changed,
        )
        security_event(
            session,
            "member_changed",
            user_id=membership.user_id,
            tenant_id=membership.tenant_id,
            detail=f"{','.join(changed)} by {actor.subject}",
        )
    return membership
