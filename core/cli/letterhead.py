"""``maillage letterhead show|set``: the letterhead of a pole's printed documents.

The coordinator sets it through the API (``setLetterhead``); the operator can do it
here for a pole, e.g. when installing it, with the logo as a file. Audited as
``operator:<login>``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.access.actions import Actor, Caller
from core.api.documents import Letterhead
from core.cli.auth import operator
from core.domain.letterhead import service
from core.errors import ValidationError
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant

# Errors name the option that was typed.
OPTIONS = {
    "name": "--name",
    "address": "--address",
    "contact": "--contact",
    "colour": "--colour",
    "accent": "--accent",
    "logo": "--logo",
}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "letterhead",
        help="en-tête des documents imprimés d'un pôle (nom, adresse, couleurs, logo)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="letterhead_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="afficher l'en-tête d'un pôle")
    show.add_argument("--pole", required=True, help="slug du pôle")
    show.set_defaults(func=show_command)
    change = actions.add_parser(
        "set",
        help="régler l'en-tête d'un pôle (une option absente garde la valeur)",
        description="Un texte vide (--name '') revient à la valeur du fichier du pôle.",
    )
    change.add_argument("--pole", required=True, help="slug du pôle")
    change.add_argument("--name", help="nom imprimé")
    change.add_argument("--address", help="adresse (\\n pour aller à la ligne)")
    change.add_argument("--contact", help="ligne de contact")
    change.add_argument("--colour", help="couleur principale #rrvvbb")
    change.add_argument("--accent", help="couleur d'accent #rrvvbb")
    change.add_argument("--logo", type=Path, help="fichier PNG ou JPEG (512 Ko au plus)")
    change.add_argument("--remove-logo", action="store_true", help="retirer le logo")
    change.set_defaults(func=set_command)


def on_behalf() -> Actor:
    """The operator, acting for the pole as its coordinator would (the action is the
    pole's ``letterhead.manage``), under the operator's own name in the audit trail."""
    who = operator()
    return Actor(
        subject=who.subject,
        display_name=who.display_name,
        roles=frozenset({"pole_admin"}),
        kind=who.kind,
    )


async def _pole(db: Database, slug: str) -> Tenant:
    tenant = await db.tenant_by_slug(slug)
    if tenant is None:
        raise ValidationError(f"pôle inconnu : {slug}", field="--pole")
    return tenant


def _print(tenant: Tenant, shown: Letterhead) -> None:
    print(f"{tenant.slug} : {shown.name}")
    for label, value in (
        ("adresse", shown.address.replace("\n", " / ")),
        ("contact", shown.contact),
        ("couleur", shown.colour),
        ("accent", shown.accent),
        (
            "logo",
            f"{shown.logo.media_type}, {len(shown.logo.content)} octets" if shown.logo else "aucun",
        ),
    ):
        print(f"  {label} : {value or '—'}")


async def show_command(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_settings(settings)
    try:
        tenant = await _pole(db, args.pole)
        async with db.session(tenant.id) as session:
            _print(tenant, await service.letterhead(session, tenant))
    finally:
        await db.dispose()
    return 0


def _logo(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path} : {exc.strerror or exc}", field="--logo") from None


async def set_command(settings: Settings, args: argparse.Namespace) -> int:
    changes = service.Changes(
        name=args.name,
        address=args.address.replace("\\n", "\n") if args.address is not None else None,
        contact=args.contact,
        colour=args.colour,
        accent=args.accent,
        logo=_logo(args.logo),
        remove_logo=args.remove_logo,
    )
    caller = Caller(on_behalf(), args.plugins_host.actions)
    db = Database.from_settings(settings)
    try:
        tenant = await _pole(db, args.pole)
        async with db.session(tenant.id) as session:
            await service.set_letterhead(session, caller, changes, field_names=OPTIONS)
            await session.commit()
            _print(tenant, await service.letterhead(session, tenant))
    finally:
        await db.dispose()
    return 0
