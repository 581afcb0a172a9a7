"""GraphQL: who am I (``viewer``), my poles (``switchTenant``), my password; a pole's
members, roles, audit trail and machine clients."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from core.access.roles import ROLES
from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.pagination import connection, in_order, page_of, paginate
from core.api.payloads import UserError, user_errors
from core.audit.models import AuditEvent
from core.auth import accounts, clients, memberships
from core.auth.memberships import memberships_of
from core.auth.models import ApiClient as ApiClientModel
from core.auth.models import AuthSession, Membership, User
from core.auth.security import pole_security_event, security_event
from core.errors import NotFoundError, UnauthenticatedError, ValidationError
from core.tenancy.graphql import Tenant


@strawberry.type(description="Un rôle et les actions qu'il permet (table des rôles).")
class Role:
    name: str
    label: str
    actions: list[str]
    sensitive_actions: list[str] = strawberry.field(
        description="Actions sensibles que ce rôle peut recevoir par accord explicite."
    )


@strawberry.type(description="Une action que l'on peut permettre (un rôle la donne, ou un accord).")
class Permission:
    name: str = strawberry.field(description="Nom de l'action (« children.health »).")
    title: str = strawberry.field(description="Ce qu'elle permet, en français.")
    sensitive: bool = strawberry.field(
        description="Données de santé ou de situation familiale : un rôle ne suffit pas, "
        "il faut un accord explicite (grants)."
    )


@strawberry.type(description="Une appartenance de la personne connectée à un pôle.")
class ViewerMembership:
    pole: Tenant
    roles: list[str]
    current: bool


@strawberry.type(description="La personne (ou le client machine) qui fait la requête.")
class Viewer:
    subject: str = strawberry.field(description="user:<id> ou client:<id>, tel qu'audité.")
    kind: str = strawberry.field(description="person ou client.")
    display_name: str
    email: str | None
    current_pole: Tenant | None
    roles: list[str]
    grants: list[str]
    scopes: list[str]
    actions: list[str] = strawberry.field(description="Actions permises dans le pôle en cours.")
    memberships: list[ViewerMembership]


@strawberry.type(description="Un membre du pôle (compte et rôles).")
class Member(relay.Node):
    uid: relay.NodeID[str]
    email: str
    display_name: str
    roles: list[str]
    grants: list[str]
    active: bool
    status: str = strawberry.field(
        description="active, invited (mot de passe à choisir), disabled."
    )
    last_login_at: dt.datetime | None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Member | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can("members.read"):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(Membership, User)
                .join(User, User.id == Membership.user_id)
                .where(Membership.id.in_([i for i in ids if i]))
            )
        return in_order(ids, rows.all(), lambda r: r[0].id, lambda r: _member(r[0], r[1]))


@strawberry.type
class MemberConnection(relay.ListConnection[Member]):
    total_count: int


@strawberry.type(description="Une entrée du journal d'audit (noms de champs, jamais de valeurs).")
class AuditEntry:
    at: dt.datetime
    actor: str = strawberry.field(description="user:<id>, client:<id>, operator:<login>…")
    actor_name: str | None = strawberry.field(
        default=None, description="Nom affiché de la personne, si c'est un compte."
    )
    action: str
    object_type: str
    object_id: str | None
    fields: list[str]
    request_id: str | None
    client_address: str | None


@strawberry.type
class AuditConnection(relay.ListConnection[AuditEntry]):
    total_count: int


@strawberry.type(description="Un client machine du pôle (intégrateur).")
class ApiClient:
    client_id: str
    name: str
    scopes: list[str]
    auth_method: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_model(cls, row: ApiClientModel) -> ApiClient:
        return cls(
            client_id=row.client_id,
            name=row.name,
            scopes=list(row.scopes),
            auth_method=row.auth_method,
            created_by=row.created_by,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


@strawberry.type
class ViewerPayload:
    viewer: Viewer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OkPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MemberPayload:
    member: Member | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Une personne invitée dans le pôle (lien d'activation par courriel).")
class InviteMemberInput:
    email: str = chars_field(User.email)
    display_name: str = chars_field(User.display_name)
    roles: list[str]


@strawberry.input(
    description="Les rôles, les accords sensibles ou l'état actif d'un membre : un champ "
    "absent ne change pas."
)
class UpdateMemberInput:
    roles: list[str] | None = None
    grants: list[str] | None = None
    active: bool | None = None


@strawberry.input(description="Un client machine lié au pôle.")
class CreateApiClientInput:
    name: str = chars_field(ApiClientModel.name)
    scopes: list[str]
    auth_method: str = chars_field(ApiClientModel.auth_method, default="client_secret_basic")
    public_jwks: JSON | None = None


@strawberry.type
class ApiClientPayload:
    client: ApiClient | None = None
    secret: str | None = strawberry.field(
        default=None, description="Secret du client : affiché cette fois seulement."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _member(membership: Membership, user: User) -> Member:
    return Member(
        uid=str(membership.id),
        email=user.email,
        display_name=user.display_name,
        roles=sorted(membership.roles),
        grants=sorted(membership.grants),
        active=membership.active,
        status=user.status,
        last_login_at=user.last_login_at,
    )


async def _viewer(ctx: Context) -> Viewer | None:
    actor = ctx.actor
    if actor is None:
        return None
    auth = ctx.require_auth()
    email = None
    views: list[memberships.MembershipView] = []
    if actor.user_id is not None:
        async with ctx.db_session() as session:
            user = await session.get(User, actor.user_id)
            email = user.email if user else None
        views = await memberships_of(auth, actor.user_id)
    current = ctx.tenant
    return Viewer(
        subject=actor.subject,
        kind=actor.kind,
        display_name=actor.display_name,
        email=email,
        current_pole=Tenant.from_model(current) if current else None,
        roles=sorted(actor.roles),
        grants=sorted(actor.grants),
        scopes=sorted(actor.scopes),
        actions=sorted(n for n in ctx.host.actions.actions if ctx.can(n)),
        memberships=[
            ViewerMembership(
                pole=Tenant.from_model(v.tenant),
                roles=sorted(v.membership.roles),
                current=current is not None and v.tenant.id == current.id,
            )
            for v in views
        ],
    )


@strawberry.type
class AuthQuery:
    @strawberry.field(description="La personne ou le client connecté ; null si anonyme.")
    async def viewer(self, info: Info[Context, None]) -> Viewer | None:
        return await _viewer(info.context)

    @strawberry.field(description="Les rôles par défaut et les actions qu'ils permettent.")
    def roles(self, info: Info[Context, None]) -> list[Role]:
        registry = info.context.host.actions
        table = registry.by_role()
        return [
            Role(
                name=name,
                label=label,
                actions=[a for a in table[name] if not registry.actions[a].sensitive],
                sensitive_actions=[a for a in table[name] if registry.actions[a].sensitive],
            )
            for name, label in ROLES.items()
        ]

    @strawberry.field(
        description="Les actions d'un pôle que l'on peut permettre, par nom : ce que « grants » "
        "et les rôles donnent."
    )
    def permissions(self, info: Info[Context, None]) -> list[Permission]:
        registry = info.context.host.actions
        return [
            Permission(name=a.name, title=a.title, sensitive=a.sensitive)
            for a in sorted(registry.actions.values(), key=lambda a: a.name)
            if a.pole
        ]

    @strawberry.field(
        description="Membres du pôle, par nom.", extensions=[action_gate("members.read")]
    )
    async def members(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        include_inactive: bool = False,
    ) -> MemberConnection:
        statement = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .order_by(User.display_name, Membership.id)
        )
        if not include_inactive:
            statement = statement.where(Membership.active.is_(True))
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            rows = (await session.execute(page)).all()
            return connection(MemberConnection, [_member(m, u) for m, u in rows], win, total)

    @strawberry.field(
        description="Journal d'audit du pôle, du plus récent au plus ancien, filtrable.",
        extensions=[action_gate("audit.read")],
    )
    async def audit_events(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        object_type: str | None = None,
        object_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> AuditConnection:
        statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        if actor:
            statement = statement.where(AuditEvent.actor == actor)
        if action:
            statement = statement.where(AuditEvent.action == action)
        if object_type:
            statement = statement.where(AuditEvent.object_type == object_type)
        if object_id:
            statement = statement.where(AuditEvent.object_id == object_id)
        if since:
            statement = statement.where(AuditEvent.at >= since)
        if until:
            statement = statement.where(AuditEvent.at < until)
        async with info.context.db_session() as session:
            page = await paginate(
                session,
                statement,
                first=first,
                after=after,
                convert=lambda e: AuditEntry(
                    at=e.at,
                    actor=e.actor,
                    action=e.action,
                    object_type=e.object_type,
                    object_id=e.object_id,
                    fields=list(e.fields or []),
                    request_id=e.request_id,
                    client_address=e.client_address,
                ),
                connection_cls=AuditConnection,
            )
            # Who is behind each user:<id>, in one statement for the page.
            ids = {
                uuid.UUID(e.node.actor.removeprefix("user:"))
                for e in page.edges
                if e.node.actor.startswith("user:")
            }
            if ids:
                rows = await session.execute(
                    select(User.id, User.display_name).where(User.id.in_(ids))
                )
                names = {user_id: name for user_id, name in rows}
                for edge in page.edges:
                    if edge.node.actor.startswith("user:"):
                        edge.node.actor_name = names.get(
                            uuid.UUID(edge.node.actor.removeprefix("user:"))
                        )
            return page

    @strawberry.field(
        description="Clients machines du pôle.", extensions=[action_gate("clients.manage")]
    )
    async def api_clients(self, info: Info[Context, None]) -> list[ApiClient]:
        tenant = info.context.require_tenant()
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(ApiClientModel)
                .where(ApiClientModel.pole_id == tenant.id)
                .order_by(ApiClientModel.created_at)
            )
            return [ApiClient.from_model(row) for row in rows.scalars()]


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Choisir le pôle de travail de la session (parmi ses appartenances)."
    )
    async def switch_tenant(self, info: Info[Context, None], pole: str) -> ViewerPayload:
        ctx = info.context
        actor = ctx.actor
        if actor is None or actor.user_id is None or actor.session_id is None:
            raise UnauthenticatedError("connectez-vous d'abord", field="pole")
        auth = ctx.require_auth()
        views = await memberships_of(auth, actor.user_id)
        chosen = next((v for v in views if v.tenant.slug == pole), None)
        if chosen is None:
            return ViewerPayload(
                errors=[
                    UserError(
                        code="VALIDATION",
                        field="pole",
                        message=f"vous n'êtes pas membre actif du pôle « {pole} »",
                    )
                ]
            )
        async with auth.db.reference_session() as session:
            row = await session.get(AuthSession, actor.session_id)
            if row is None:
                raise UnauthenticatedError("session inconnue", field="pole")
            row.current_tenant_id = chosen.tenant.id
            security_event(
                session, "tenant_switched", user_id=actor.user_id, tenant_id=chosen.tenant.id
            )
            await session.commit()
        async with auth.db.session(chosen.tenant.id) as session:
            pole_security_event(
                session,
                "tenant_switched",
                tenant_id=chosen.tenant.id,
                actor=actor.subject,
                object_id=str(actor.user_id),
            )
            await session.commit()
        # This request keeps the pole it started with; the next one uses the new pole.
        viewer = await _viewer(ctx)
        if viewer is not None:
            viewer.current_pole = Tenant.from_model(chosen.tenant)
            for m in viewer.memberships:
                m.current = m.pole.slug == pole
        return ViewerPayload(viewer=viewer)

    @strawberry.mutation(
        description="Changer son mot de passe (les autres sessions sont déconnectées)."
    )
    async def change_password(
        self, info: Info[Context, None], current_password: str, new_password: str
    ) -> OkPayload:
        ctx = info.context
        actor = ctx.actor
        if actor is None or actor.user_id is None:
            raise UnauthenticatedError("connectez-vous d'abord", field="currentPassword")
        try:
            await accounts.change_password(
                ctx.require_auth(),
                actor.user_id,
                current=current_password,
                new=new_password,
                keep_session=actor.session_id,
                client_address=ctx.request.client.host if ctx.request.client else None,
            )
        except ValidationError as exc:
            return OkPayload(
                errors=[UserError(code=str(exc.code), field=exc.field, message=exc.message)]
            )
        return OkPayload(ok=True)

    @strawberry.mutation(
        description="Inviter une personne dans le pôle (lien d'activation par courriel).",
        extensions=[action_gate("members.manage")],
    )
    @flat_form(InviteMemberInput)
    async def invite_member(
        self,
        info: Info[Context, None],
        input: InviteMemberInput,
    ) -> MemberPayload:
        ctx = info.context
        actor = ctx.require("members.manage")
        tenant = ctx.require_tenant()
        auth = ctx.require_auth()
        member = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            invitation = await memberships.invite(
                auth,
                session,
                tenant,
                actor,
                email=input.email,
                display_name=input.display_name,
                roles=input.roles,
            )
            await session.commit()
            member = _member(invitation.membership, invitation.user)
        if errors:
            return MemberPayload(errors=errors)
        auth.send_mail_soon()
        return MemberPayload(member=member)

    @strawberry.mutation(
        description="Changer les rôles, les accords sensibles ou l'état actif d'un membre.",
        extensions=[action_gate("members.manage")],
    )
    @flat_form(UpdateMemberInput)
    async def update_member(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: UpdateMemberInput,
    ) -> MemberPayload:
        ctx = info.context
        actor = ctx.require("members.manage")
        auth = ctx.require_auth()
        member = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            membership = await memberships.update(
                auth,
                session,
                actor,
                parse_id(id, "id"),
                roles=input.roles,
                grants=input.grants,
                active=input.active,
            )
            user = await session.get(User, membership.user_id)
            assert user is not None
            await session.commit()
            member = _member(membership, user)
        if errors:
            return MemberPayload(errors=errors)
        return MemberPayload(member=member)

    @strawberry.mutation(
        description="Créer un client machine lié au pôle ; le secret n'est montré qu'ici.",
        extensions=[action_gate("clients.manage")],
    )
    @flat_form(CreateApiClientInput)
    async def create_api_client(
        self,
        info: Info[Context, None],
        input: CreateApiClientInput,
    ) -> ApiClientPayload:
        ctx = info.context
        actor = ctx.require("clients.manage")
        tenant = ctx.require_tenant()
        auth = ctx.require_auth()
        created = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            created = await clients.create(
                auth,
                session,
                actor,
                name=input.name,
                scopes=input.scopes,
                tenant_id=tenant.id,
                auth_method=input.auth_method,
                public_jwks=input.public_jwks,
            )
            await session.commit()
        if errors or created is None:
            return ApiClientPayload(errors=errors)
        return ApiClientPayload(client=ApiClient.from_model(created.client), secret=created.secret)

    @strawberry.mutation(
        description="Révoquer un client machine du pôle (ses jetons cessent aussitôt).",
        extensions=[action_gate("clients.manage")],
    )
    async def revoke_api_client(
        self, info: Info[Context, None], client_id: str
    ) -> ApiClientPayload:
        ctx = info.context
        actor = ctx.require("clients.manage")
        tenant = ctx.require_tenant()
        auth = ctx.require_auth()
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = (
                await session.execute(
                    select(ApiClientModel).where(
                        ApiClientModel.client_id == client_id,
                        ApiClientModel.pole_id == tenant.id,
                    )
                )
            ).scalar()
            if row is None:
                raise NotFoundError("client inconnu dans ce pôle", field="clientId")
            await clients.revoke(auth, session, actor, row)
            await session.commit()
            result = ApiClient.from_model(row)
        if errors:
            return ApiClientPayload(errors=errors)
        return ApiClientPayload(client=result)
