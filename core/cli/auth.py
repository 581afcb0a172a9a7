"""``maillage keys|members|clients|mail``: the operator's auth commands.

The operator at the server's shell acts as ``operator:<login>`` with the
platform_admin role, and the services check the same actions as the API: the CLI
can invite a pole's first administrator or create a network client, it cannot read
a person's record.
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path

from sqlalchemy import select

from core.access import table
from core.access.actions import Actor
from core.auth import clients, keys, mail, memberships, sessions
from core.auth.config import AuthConfig
from core.auth.demo import DEMO_ACCOUNTS_END, DEMO_ACCOUNTS_START, demo_accounts_block
from core.auth.models import ApiClient, SigningKey
from core.auth.security import security_event
from core.auth.service import AuthService
from core.errors import NotFoundError, ValidationError
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database


def operator() -> Actor:
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "inconnu"
    return Actor(
        subject=f"operator:{login}",
        display_name=f"Exploitant ({login})",
        roles=frozenset({"platform_admin"}),
        kind="operator",
    )


def register(commands: argparse._SubParsersAction) -> None:
    k = commands.add_parser("keys", help="clés de signature des jetons (JWKS)")
    ks = k.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    ks.add_parser(
        "rotate", help="nouvelle clé ; l'ancienne reste valide jusqu'à l'expiration de ses jetons"
    ).set_defaults(func=rotate_command)
    ks.add_parser("list", help="clés publiées et leur état").set_defaults(func=list_keys_command)

    m = commands.add_parser("members", help="membres des pôles")
    ms = m.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    invite = ms.add_parser(
        "invite",
        help="inviter une personne dans un pôle (lien par courriel, ou affiché)",
        description="Sans relais de courriel (MAILLAGE_MAIL=console) ou avec --print-link, "
        "le lien d'invitation est affiché ici au lieu d'être envoyé ; transmettez-le à la "
        "personne par un canal sûr. Si l'envoi échoue, l'invitation reste enregistrée et "
        "la commande sort avec le code 1.",
    )
    invite.add_argument("--tenant", required=True, help="slug du pôle")
    invite.add_argument("--email", required=True, help="adresse électronique de la personne")
    invite.add_argument("--name", required=True, help="nom affiché")
    invite.add_argument(
        "--roles", required=True, help="rôles séparés par des virgules (ex. pole_admin)"
    )
    invite.add_argument(
        "--print-link",
        action="store_true",
        help="afficher le lien d'invitation au lieu de l'envoyer par courriel",
    )
    invite.set_defaults(func=invite_command)

    c = commands.add_parser("clients", help="clients machines (OAuth 2 client credentials)")
    cs = c.add_subparsers(dest="clients_command", metavar="ACTION", required=True)
    create = cs.add_parser(
        "create",
        help="créer un client du réseau national (network:read) ; le secret n'est montré "
        "qu'une fois. Les clients d'un pôle se créent par son administrateur "
        "(mutation createApiClient).",
    )
    create.add_argument("--name", required=True, help="nom du client (qui l'utilise)")
    create.add_argument("--scopes", default="network:read", help="défaut : network:read")
    create.add_argument(
        "--jwks", type=Path, help="fichier JWKS de clés publiques (private_key_jwt)"
    )
    create.set_defaults(func=create_client_command)
    cs.add_parser("list", help="clients enregistrés").set_defaults(func=list_clients_command)
    revoke = cs.add_parser("revoke", help="révoquer un client (ses jetons cessent aussitôt)")
    revoke.add_argument("client_id", help="identifiant du client (maillage clients list)")
    revoke.set_defaults(func=revoke_client_command)

    purge = commands.add_parser(
        "sessions", help="sessions et jetons : purger ce qui ne peut plus servir"
    )
    purge.add_subparsers(dest="sessions_command", metavar="ACTION", required=True).add_parser(
        "purge",
        help="supprimer sessions expirées ou révoquées depuis 30 jours, liens périmés, "
        "compteurs de tentatives échus (à lancer chaque nuit)",
    ).set_defaults(func=purge_command)

    roles = commands.add_parser("roles", help="table rôles × actions (docs/roles.md)")
    roles.add_argument(
        "--write", type=Path, default=None, help="remplacer la table dans ce fichier Markdown"
    )
    roles.set_defaults(func=roles_command)

    mail = commands.add_parser("mail", help="courriels en attente")
    mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True).add_parser(
        "send", help="envoyer les courriels en attente (file d'envoi)"
    ).set_defaults(func=send_mail_command)


async def rotate_command(settings: Settings, _args: argparse.Namespace) -> int:
    """Run with the migration (owner) URL: the runtime role only reads the keys."""
    config = AuthConfig.from_settings(settings)
    db = Database(settings.migration_database_url)
    try:
        async with db.reference_session() as session:
            new, retired = await keys.rotate(session, config)
            security_event(session, "keys_rotated", detail=f"{new.kid} by {operator().subject}")
            await session.commit()
    finally:
        await db.dispose()
    print(f"nouvelle clé de signature : {new.kid}")
    for kid in retired:
        print(f"clé retirée (publiée jusqu'à l'expiration de ses jetons) : {kid}")
    return 0


async def ensure_signing_key(settings: Settings) -> str | None:
    """The install's first key (``db upgrade``, ``demo setup``): None when one exists."""
    db = Database(settings.migration_database_url)
    try:
        async with db.reference_session() as session:
            row = await keys.ensure_key(session, AuthConfig.from_settings(settings))
            await session.commit()
            return row.kid if row else None
    finally:
        await db.dispose()


async def list_keys_command(settings: Settings, _args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        async with db.reference_session() as session:
            rows = (
                await session.execute(select(SigningKey).order_by(SigningKey.created_at))
            ).scalars()
            for row in rows:
                state = (
                    "signe"
                    if row.retired_at is None
                    else f"retirée le {row.retired_at:%Y-%m-%d %H:%M}"
                )
                print(
                    f"{row.kid}  {row.algorithm}  créée le {row.created_at:%Y-%m-%d %H:%M}  {state}"
                )
    finally:
        await db.dispose()
    return 0


def _service(settings: Settings, db: Database, host: PluginHost) -> AuthService:
    return AuthService.from_settings(settings, db, host.actions)


async def invite_command(settings: Settings, args: argparse.Namespace) -> int:
    """Without a relay (console) the link is printed, never only buried in the logs;
    a relay that refuses the mail stops the command in one line (MailNotSent, exit 1)
    after the invitation is committed, the mail staying queued."""
    print_link = args.print_link or settings.mail == "console"
    db = Database.from_settings(settings)
    auth = _service(settings, db, args.plugins_host)
    try:
        tenant = await db.tenant_by_slug(args.tenant)
        if tenant is None or not tenant.active:
            raise ValidationError(f"pôle inconnu ou inactif : {args.tenant}", field="--tenant")
        async with db.session(tenant.id) as session:
            invitation = await memberships.invite(
                auth,
                session,
                tenant,
                operator(),
                email=args.email,
                display_name=args.name,
                roles=[r.strip() for r in args.roles.split(",") if r.strip()],
                send_mail=not print_link,
            )
            await session.commit()
        print(f"{invitation.user.email} invité·e dans {tenant.slug} ({args.roles})")
        if print_link:
            print(
                f"lien d'invitation (à transmettre à la personne ; valable une fois) : "
                f"{invitation.link}"
                if invitation.link
                else "compte existant : ajouté·e au pôle, aucun lien à transmettre"
            )
        elif invitation.mail is not None:
            try:
                await mail.send_now(db.reference_session, auth.mailer, invitation.mail.id)
            except mail.MailNotSent as exc:
                raise mail.MailNotSent(
                    f"invitation enregistrée mais courriel non envoyé — {exc.message} ; "
                    "corrigez le réglage puis « maillage mail send », ou relancez "
                    "l'invitation avec --print-link"
                ) from exc
            print(f"courriel d'invitation envoyé à {invitation.user.email}")
    finally:
        await db.dispose()
    return 0


async def create_client_command(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    auth = _service(settings, db, args.plugins_host)
    try:
        jwks = None
        if args.jwks is not None:
            try:
                jwks = json.loads(args.jwks.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise ValidationError(
                    f"{args.jwks} : JWKS illisible ({exc})", field="--jwks"
                ) from exc
        async with db.reference_session() as session:
            created = await clients.create(
                auth,
                session,
                operator(),
                name=args.name,
                scopes=[s.strip() for s in args.scopes.split(",") if s.strip()],
                tenant_id=None,
                auth_method="private_key_jwt" if jwks else "client_secret_basic",
                public_jwks=jwks,
            )
            await session.commit()
    finally:
        await db.dispose()
    print(f"client_id : {created.client.client_id}")
    if created.secret:
        print(f"secret (affiché une seule fois, conservez-le) : {created.secret}")
    return 0


async def list_clients_command(settings: Settings, _args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        async with db.reference_session() as session:
            rows = (
                await session.execute(select(ApiClient).order_by(ApiClient.created_at))
            ).scalars()
            for c in rows:
                state = "révoqué" if c.revoked_at else "actif"
                where = "réseau" if c.pole_id is None else str(c.pole_id)
                scopes = " ".join(c.scopes)
                print(f"{c.client_id}  {c.name}  {where}  {scopes}  {c.auth_method}  {state}")
    finally:
        await db.dispose()
    return 0


async def revoke_client_command(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    auth = _service(settings, db, args.plugins_host)
    try:
        async with db.reference_session() as session:
            client = (
                await session.execute(
                    select(ApiClient).where(ApiClient.client_id == args.client_id)
                )
            ).scalar()
            if client is None:
                raise NotFoundError(f"client inconnu : {args.client_id}", field="client_id")
            await clients.revoke(auth, session, operator(), client)
            await session.commit()
    finally:
        await db.dispose()
    print(f"client {args.client_id} révoqué")
    return 0


async def send_mail_command(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        delivery = await _service(settings, db, args.plugins_host).deliver_mail()
    finally:
        await db.dispose()
    print(f"{delivery.sent} courriel(s) envoyé(s)")
    if delivery.error is not None:
        raise mail.MailNotSent(
            f"{delivery.failed} courriel(s) non envoyé(s), gardé(s) en file — "
            f"{delivery.error.message}"
        )
    return 0


ROLES_START = "<!-- roles:start (maillage roles --write docs/roles.md) -->"
ROLES_END = "<!-- roles:end -->"


def roles_block(host: PluginHost) -> str:
    return f"{ROLES_START}\n{table.markdown(host.actions)}{ROLES_END}"


def _replace_block(text: str, start: str, end: str, block: str) -> str | None:
    if start not in text or end not in text:
        return None
    before, rest = text.split(start, 1)
    return before + block + rest.split(end, 1)[1]


def roles_command(_settings: Settings, args: argparse.Namespace) -> int:
    host = args.plugins_host
    block = roles_block(host)
    if args.write is None:
        print(block)
        return 0
    text = args.write.read_text(encoding="utf-8")
    # Each generated block the file holds: the role × action table (docs/roles.md), the
    # demo accounts (README.md).
    written, found = text, False
    for start, end, generated in (
        (ROLES_START, ROLES_END, block),
        (DEMO_ACCOUNTS_START, DEMO_ACCOUNTS_END, demo_accounts_block(host.actions)),
    ):
        replaced = _replace_block(written, start, end, generated)
        if replaced is not None:
            written, found = replaced, True
    if not found:
        raise ValidationError(
            f"{args.write} : ni les marqueurs {ROLES_START} … {ROLES_END}, "
            f"ni {DEMO_ACCOUNTS_START} … {DEMO_ACCOUNTS_END}",
            field="--write",
        )
    args.write.write_text(written, encoding="utf-8")
    print(f"tables générées écrites dans {args.write}")
    return 0


async def purge_command(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        counts = await sessions.purge_expired(_service(settings, db, args.plugins_host))
    finally:
        await db.dispose()
    print(", ".join(f"{name} : {count}" for name, count in counts.items()))
    return 0
