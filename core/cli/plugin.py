"""``maillage plugin list|enable|disable|new``: installed plugins, per-pole state,
and the integrator's scaffold."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.cli.scaffold import scaffold_plugin
from core.demo.seed import seed_plugin
from core.errors import ValidationError
from core.plugins import state
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database

CLI_ACTOR = "cli"


def register(commands: argparse._SubParsersAction) -> None:
    plugin = commands.add_parser("plugin", help="modules (plugins) : lister, activer, créer")
    sub = plugin.add_subparsers(dest="plugin_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="plugins installés (et leurs crochets)").set_defaults(
        func=list_command
    )

    for verb, helptext in (("enable", "activer pour un pôle"), ("disable", "désactiver")):
        p = sub.add_parser(verb, help=f"{helptext} (audité ; les données sont conservées)")
        p.add_argument("name", help="nom du plugin (maillage plugin list)")
        p.add_argument("--tenant", required=True, help="slug du pôle")
        if verb == "enable":
            p.add_argument("--settings", help="réglages en JSON", default=None)
        p.set_defaults(func=toggle_command, verb=verb)

    new = sub.add_parser(
        "new", help="créer un paquet de plugin prêt à installer (pip install -e <dossier>)"
    )
    new.add_argument("name", help="nom du plugin : minuscules, chiffres et _ (ex. fratries)")
    new.add_argument("--dir", type=Path, default=Path("."), help="dossier parent (défaut : .)")
    new.add_argument("--title", default=None, help="titre en français")
    new.add_argument("--description", default=None, help="description en français")
    new.add_argument(
        "--minimal",
        action="store_true",
        help="un modèle, une requête, une mutation et leurs tests (défaut : l'exemple complet)",
    )
    new.set_defaults(func=new_command)


def list_command(settings: Settings, args: argparse.Namespace) -> int:
    host: PluginHost = args.plugins_host
    if not host.plugins:
        allow = settings.plugins
        print(
            "aucun plugin chargé"
            + (
                f" (MAILLAGE_PLUGINS={','.join(allow)!s} limite la liste)"
                if allow is not None
                else ""
            )
        )
        return 0
    for name in host.order():
        loaded = host.plugins[name]
        m = loaded.manifest
        hooks = sorted(impl.name for impl in host.pm.get_hookcallers(loaded.obj) or [])
        print(f"{name} {m.version} (API {m.api_version}) — {m.title}")
        print(f"  source : {loaded.source}")
        if m.requires:
            print(f"  nécessite : {', '.join(m.requires)}")
        print(f"  actif par défaut : {'oui' if m.default_enabled else 'non'}")
        print(f"  tables : {', '.join(host.contributions.tables.get(name, [])) or '—'}")
        print(f"  crochets : {', '.join(hooks)}")
    return 0


async def toggle_command(settings: Settings, args: argparse.Namespace) -> int:
    host: PluginHost = args.plugins_host
    db = Database.from_settings(settings)
    host.bind(db)
    try:
        tenant = await db.tenant_by_slug(args.tenant)
        if tenant is None or not tenant.active:
            raise ValidationError(f"pôle inconnu ou inactif : {args.tenant}", field="--tenant")
        async with db.session(tenant.id) as session:
            if args.verb == "enable":
                settings_value = _json(args.settings) if args.settings else None
                await state.enable(
                    host, session, tenant, args.name, actor=CLI_ACTOR, settings=settings_value
                )
            else:
                await state.disable(host, session, tenant, args.name, actor=CLI_ACTOR)
            await session.commit()
        await host.drain()
        # A demo install shows the plugin at work at once (what `demo seed` would add;
        # the seed hook is idempotent). Never in production.
        seeded = args.verb == "enable" and not settings.is_production
        if seeded:
            await seed_plugin(host, db, tenant, args.name)
            await host.drain()
    finally:
        await db.dispose()
    done = "activé" if args.verb == "enable" else "désactivé"
    print(f"{args.name} {done} pour {args.tenant}")
    if seeded:
        print(f"données de démonstration ajoutées ({args.name})")
    return 0


def _json(raw: str) -> object:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}",
            field="--settings",
        ) from exc


def new_command(_settings: Settings, args: argparse.Namespace) -> int:
    target = scaffold_plugin(
        args.name, args.dir, title=args.title, description=args.description, minimal=args.minimal
    )
    print(f"plugin créé dans {target}")
    print("ensuite :")
    print(f"  pip install -e {target}")
    print("  maillage db upgrade")
    print(f"  maillage plugin enable {args.name} --tenant <slug>")
    print(f"  cd {target} && python -m pytest")
    return 0
