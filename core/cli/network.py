"""``maillage network …``: the operator defines the install's national network — its
name and threshold k, the poles taking part, the people's network roles (held on their
account: a pole cannot give them). Each change is traced in ``platform_audit_events``.
The catalogue starts with the default entries; the network's coordinator changes it
with ``setNetworkCatalogue``. ``key``, ``export``, ``trust`` and ``import`` carry
releases between installs as signed documents."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from core.api.ids import parse_id
from core.cli.auth import operator
from core.errors import NotFoundError, ValidationError
from core.network.catalogue import DEFAULT_ENTRIES
from core.network.models import NetworkPole
from core.network.releases import current_catalogue, the_network
from core.network.setup import add_pole, define_network, set_catalogue, set_network_role
from core.network.signed import import_release, release_document, sign, signing_key, trust_key
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("network", help="le réseau national : définition, pôles, rôles")
    actions = parser.add_subparsers(dest="network_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="définir (ou renommer) le réseau de l'installation")
    init.add_argument("--name", required=True, help="nom du réseau")
    init.add_argument("--k", type=int, default=11, help="seuil du secret statistique (11)")
    init.set_defaults(func=run_init)
    pole = actions.add_parser("pole", help="ajouter (ou mettre à jour) un pôle du réseau")
    pole.add_argument("code", help="code du pôle (son slug sur son installation)")
    pole.add_argument("--name", default="", help="nom (défaut : celui du pôle local)")
    pole.add_argument("--departement", default="", help="département (défaut : du pôle local)")
    pole.add_argument(
        "--remote", action="store_true", help="un pôle d'une autre installation (pas local)"
    )
    pole.set_defaults(func=run_pole)
    member = actions.add_parser("member", help="donner ou retirer un rôle du réseau à un compte")
    member.add_argument("email", help="adresse du compte")
    member.add_argument(
        "--role",
        required=True,
        choices=["network_coordinator", "network_analyst", "aucun"],
        help="rôle du réseau (aucun : le retirer)",
    )
    member.set_defaults(func=run_member)
    actions.add_parser("show", help="le réseau, son catalogue et ses pôles").set_defaults(
        func=run_show
    )
    actions.add_parser(
        "key", help="la clé publique qui signe les publications exportées (créée au besoin)"
    ).set_defaults(func=run_key)
    export = actions.add_parser("export", help="exporter une publication approuvée, signée")
    export.add_argument("release", help="identifiant de la publication")
    export.add_argument("--out", type=Path, required=True, help="fichier JSON à écrire")
    export.set_defaults(func=run_export)
    trust = actions.add_parser(
        "trust", help="faire confiance à la clé d'un pôle d'une autre installation"
    )
    trust.add_argument("code", help="code du pôle (déjà ajouté avec --remote)")
    trust.add_argument("--kid", required=True, help="identifiant de la clé")
    trust.add_argument("--public-key", required=True, help="clé publique Ed25519 (base64)")
    trust.set_defaults(func=run_trust)
    load = actions.add_parser("import", help="importer des publications signées (JSON)")
    load.add_argument("files", nargs="+", type=Path, help="documents signés")
    load.set_defaults(func=run_import)


async def run_init(settings: Settings, args: argparse.Namespace) -> int:
    host: PluginHost = args.plugins_host
    figures = {name: spec for name, (_, spec) in host.contributions.indicators.items()}
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            network = await define_network(
                session, name=args.name, k=args.k, actor=operator().subject
            )
            try:
                catalogue = await current_catalogue(session, network)
            except NotFoundError:
                available = [e for e in DEFAULT_ENTRIES if e.figure in figures]
                catalogue = await set_catalogue(
                    session,
                    network,
                    available,
                    figures,
                    actor=operator().subject,
                    now=dt.datetime.now(dt.UTC),
                )
            await session.commit()
            print(f"réseau « {network.name} », k = {network.k}, catalogue v{catalogue.version}")
    finally:
        await db.dispose()
    return 0


async def run_pole(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            network = await the_network(session)
            local = None
            if not args.remote:
                local = (
                    await session.execute(select(Tenant).where(Tenant.slug == args.code))
                ).scalar()
                if local is None:
                    raise NotFoundError(
                        f"aucun pôle local {args.code} (--remote pour un pôle d'une autre "
                        "installation)",
                        field="code",
                    )
            pole = await add_pole(
                session,
                network,
                code=args.code,
                name=args.name or (local.name if local else args.code),
                departement=args.departement or (local.departement_code if local else ""),
                local=local,
                actor=operator().subject,
            )
            await session.commit()
            print(f"pôle {pole.code} ({pole.departement_code}) dans le réseau")
    finally:
        await db.dispose()
    return 0


async def run_member(settings: Settings, args: argparse.Namespace) -> int:
    role = None if args.role == "aucun" else args.role
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            await set_network_role(session, args.email, role, actor=operator().subject)
            await session.commit()
    finally:
        await db.dispose()
    print(f"{args.email} : rôle du réseau {role or 'retiré'}")
    return 0


async def run_show(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            network = await the_network(session)
            catalogue = await current_catalogue(session, network)
            poles = (
                await session.execute(select(NetworkPole).order_by(NetworkPole.code))
            ).scalars()
            print(f"{network.name} (k = {network.k}), catalogue v{catalogue.version}")
            for entry in catalogue.entries:
                tables = ", ".join("×".join(t) or "total" for t in entry["tables"])
                print(f"  {entry['figure']} : {tables}")
            for pole in poles:
                where = "local" if pole.local_pole_id else "autre installation"
                print(f"  pôle {pole.code} — {pole.name} ({pole.departement_code}, {where})")
    finally:
        await db.dispose()
    return 0


async def run_key(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            row, _ = await signing_key(session, settings.secret_key, now=dt.datetime.now(dt.UTC))
            await session.commit()
            print(f"{row.kid} {row.public_key}")
    finally:
        await db.dispose()
    return 0


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    host: PluginHost = args.plugins_host
    figures = {name: spec for name, (_, spec) in host.contributions.indicators.items()}
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            document = await release_document(session, parse_id(args.release, "release"), figures)
            row, private = await signing_key(
                session, settings.secret_key, now=dt.datetime.now(dt.UTC)
            )
            await session.commit()
    finally:
        await db.dispose()
    envelope = sign(document, row.kid, private)
    args.out.write_text(json.dumps(envelope, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"publication {document['pole']['code']} {document['period']} v{document['version']} "
        f"signée ({row.kid}) : {args.out}"
    )
    return 0


async def run_trust(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        async with db.reference_session() as session:
            network = await the_network(session)
            pole = (
                await session.execute(
                    select(NetworkPole).where(
                        NetworkPole.network_id == network.id, NetworkPole.code == args.code
                    )
                )
            ).scalar()
            if pole is None:
                raise NotFoundError(f"aucun pôle {args.code} dans le réseau", field="code")
            await trust_key(
                session,
                pole,
                args.kid,
                args.public_key,
                actor=operator().subject,
                now=dt.datetime.now(dt.UTC),
            )
            await session.commit()
    finally:
        await db.dispose()
    print(f"clé {args.kid} acceptée pour le pôle {args.code}")
    return 0


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    host: PluginHost = args.plugins_host
    figures = {name: spec for name, (_, spec) in host.contributions.indicators.items()}
    db = Database(settings.database_url)
    try:
        for path in args.files:
            try:
                envelope = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValidationError(f"{path} : JSON illisible ({exc})", field="files") from None
            # One transaction per document: a refused one leaves nothing written.
            async with db.reference_session() as session:
                release, created = await import_release(
                    session,
                    envelope,
                    figures,
                    actor=operator().subject,
                    now=dt.datetime.now(dt.UTC),
                )
                await session.commit()
            state = "importée" if created else "déjà importée (rien à faire)"
            print(f"{path} : {release.period} v{release.version} {state}")
    finally:
        await db.dispose()
    return 0
