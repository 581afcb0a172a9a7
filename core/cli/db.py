"""``maillage db``: create, upgrade, check and secure the database."""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy.engine import make_url

from core.cli import auth as auth_cli
from core.cli import territory as territory_cli
from core.cli.progress import progress
from core.database_url import DatabaseUrlError, split_query
from core.db import migrate, sql
from core.db.engine import make_engine
from core.db.posture import posture_problems
from core.errors import ConfigurationError
from core.plugins import migrations as plugin_migrations
from core.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="base de données : migrations, rôles, contrôles")
    sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    up = sub.add_parser(
        "upgrade",
        help="créer ou mettre à jour le schéma : le cœur, puis les plugins installés "
        "(SQLite ou PostgreSQL)",
    )
    up.add_argument(
        "revision", nargs="?", default="head", help="révision cible (défaut : head, la dernière)"
    )
    up.add_argument(
        "--plugin", help="ne migrer que ce plugin (le cœur doit être à jour)", default=None
    )
    up.add_argument(
        "--no-territory", action="store_true", help="ne pas charger le référentiel territorial"
    )
    up.set_defaults(func=upgrade)

    down = sub.add_parser("downgrade", help="revenir à une révision (base = tout supprimer)")
    down.add_argument("revision", help="révision cible (identifiant, -1, ou base)")
    down.add_argument(
        "--plugin",
        default=None,
        help="redescendre ce plugin seulement (« base » retire toutes ses tables)",
    )
    down.set_defaults(func=downgrade)

    sub.add_parser("current", help="révisions appliquées (cœur et plugins)").set_defaults(
        func=current
    )
    sub.add_parser("check", help="vérifier que modèles et migrations concordent").set_defaults(
        func=check
    )
    sub.add_parser(
        "where", help="quelle base et quel dossier d'installation sont utilisés, et pourquoi"
    ).set_defaults(func=where)
    rev = sub.add_parser(
        "revision", help="développeurs : générer une migration (cœur ou --plugin X)"
    )
    rev.add_argument("-m", "--message", required=True, help="titre de la migration")
    rev.add_argument("--plugin", default=None, help="plugin concerné (défaut : le cœur)")
    rev.set_defaults(func=revision)
    sub.add_parser(
        "posture", help="PostgreSQL : vérifier RLS forcée et rôle d'exécution sans privilège"
    ).set_defaults(func=posture)

    boot = sub.add_parser(
        "bootstrap",
        help="PostgreSQL : créer les rôles (propriétaire, exécution, plateforme, réseau) "
        "et la base",
    )
    boot.add_argument(
        "--admin-url", required=True, help="URL d'un rôle pouvant créer rôles et bases"
    )
    boot.add_argument("--database", required=True, help="nom de la base à créer (ex. maillage)")
    boot.set_defaults(func=bootstrap)


async def upgrade(settings: Settings, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    host = args.plugins_host
    roles = migrate.Roles(settings.runtime_role, settings.platform_role, settings.network_role)
    if args.plugin is not None:
        target = plugin_migrations.target_of(host, args.plugin)
        await migrate.upgrade(
            settings.migration_database_url, args.revision, roles=roles, targets=[target]
        )
        print(f"plugin {args.plugin} à jour ({args.revision})")
        return 0
    with progress() as steps, steps.step("migrations (cœur puis plugins)"):
        if args.revision == "head":
            owners = await plugin_migrations.upgrade_all(
                settings.migration_database_url, host, roles=roles
            )
        else:  # a core revision (developers)
            await migrate.upgrade(settings.migration_database_url, args.revision, roles=roles)
            owners = ["core"]
    print(
        f"schéma à jour ({args.revision} : {', '.join(owners)}) "
        f"en {time.perf_counter() - started:.1f} s"
    )
    if args.revision == "head":
        kid = await auth_cli.ensure_signing_key(settings)
        if kid:
            print(f"première clé de signature des jetons créée : {kid}")
    if not args.no_territory and args.revision == "head":
        started = time.perf_counter()
        with progress() as steps:
            report = await territory_cli.load_with_progress(settings, steps, force=False)
        state = "chargé" if report.loaded else "déjà à jour"
        print(
            f"référentiel territorial {state} : {report.counts.get('communes', 0)} communes "
            f"en {time.perf_counter() - started:.1f} s"
        )
    return 0


async def downgrade(settings: Settings, args: argparse.Namespace) -> int:
    if args.plugin is not None:
        target = plugin_migrations.target_of(args.plugins_host, args.plugin)
        await migrate.downgrade(settings.migration_database_url, args.revision, target=target)
        print(f"plugin {args.plugin} ramené à {args.revision}")
        return 0
    await migrate.downgrade(settings.migration_database_url, args.revision)
    print(f"schéma ramené à {args.revision}")
    return 0


async def current(settings: Settings, args: argparse.Namespace) -> int:
    statuses = await plugin_migrations.status(settings.migration_database_url, args.plugins_host)
    for s in statuses:
        mark = "à jour" if s.up_to_date else f"en retard (dernière : {s.head})"
        print(f"{s.owner} : {s.current or 'aucune'} — {mark}")
    return 0 if all(s.up_to_date for s in statuses) else 1


async def revision(settings: Settings, args: argparse.Namespace) -> int:
    target = (
        plugin_migrations.target_of(args.plugins_host, args.plugin)
        if args.plugin
        else migrate.CORE_TARGET
    )
    await migrate.revision(settings.migration_database_url, args.message, target=target)
    print(f"migration générée pour {target.owner}")
    return 0


async def check(settings: Settings, args: argparse.Namespace) -> int:
    owners = ["core", *sorted(args.plugins_host.contributions.migrations)]
    diffs = await migrate.check(settings.migration_database_url, owners=owners)
    if diffs:
        print("les modèles et la base diffèrent :")
        for diff in diffs:
            print(f"  {diff}")
        return 1
    print("modèles et migrations concordent")
    return 0


HOME_SOURCES = {
    "MAILLAGE_HOME": "réglé par MAILLAGE_HOME",
    "checkout": "le dépôt qui contient le code",
    "environment": "l'environnement Python où maillage est installé",
}


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def where(settings: Settings, _args: argparse.Namespace) -> int:
    """Print the database every command of this install uses, and what chose it: the
    answer to "which database did that command touch?" (decision 107)."""
    state = ""
    if settings.is_sqlite:
        path = make_url(settings.database_url).database or ""
        state = (
            " — présente"
            if path == ":memory:" or os.path.exists(path)
            else " — absente : « maillage db upgrade » la crée"
        )
    chosen = {
        "MAILLAGE_DATABASE_URL": "MAILLAGE_DATABASE_URL",
        "MAILLAGE_VAR_DIR": f"MAILLAGE_VAR_DIR ({settings.var_dir})",
        "home": "le dossier de l'installation (var/maillage.sqlite3)",
    }[settings.database_source]
    print(f"base de données : {_shown(settings.database_url)}{state}")
    print(f"choisie par : {chosen}")
    if settings.migration_database_url != settings.database_url:
        print(f"migrations : {_shown(settings.migration_database_url)}")
    print(f"dossier de l'installation : {settings.home} ({HOME_SOURCES[settings.home_source]})")
    print(f"fichiers des pôles : {settings.tenants_dir}")
    return 0


async def posture(settings: Settings, _args: argparse.Namespace) -> int:
    if settings.is_sqlite:
        print("SQLite : pas de RLS ; seul le filtre applicatif s'applique")
        return 0
    engine = make_engine(settings.migration_database_url)
    try:
        async with engine.connect() as connection:
            problems = await connection.run_sync(
                lambda c: posture_problems(
                    c, runtime_role=settings.runtime_role, network_role=settings.network_role
                )
            )
    finally:
        await engine.dispose()
    for problem in problems:
        print(f"PROBLÈME : {problem}")
    if not problems:
        print(
            "RLS activée et forcée sur toutes les tables des pôles ; "
            "rôle d'exécution sans privilège"
        )
    return 1 if problems else 0


def _password(variable: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise ConfigurationError("mot de passe du rôle absent", field=variable)
    return value


async def bootstrap(settings: Settings, args: argparse.Namespace) -> int:
    admin = make_url(args.admin_url)
    if admin.get_backend_name() != "postgresql":
        raise ConfigurationError("bootstrap concerne PostgreSQL", field="--admin-url")
    try:
        split_query(args.admin_url)
    except DatabaseUrlError as exc:
        raise ConfigurationError(str(exc), field="--admin-url") from None
    owner = os.environ.get("MAILLAGE_DB_OWNER_ROLE", "maillage_owner")
    specs = [
        sql.RoleSpec(owner, _password("MAILLAGE_DB_OWNER_PASSWORD")),
        sql.RoleSpec(settings.runtime_role, _password("MAILLAGE_DB_APP_PASSWORD")),
        sql.RoleSpec(
            settings.platform_role, _password("MAILLAGE_DB_PLATFORM_PASSWORD"), bypass_rls=True
        ),
    ]
    admin_url = admin.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    engine = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:

            def run(c) -> None:  # type: ignore[no-untyped-def]
                for spec in specs:
                    sql.ensure_role(c, spec)
                # The network's readers: the runtime role switches to it for a network
                # request (SET LOCAL ROLE); the table grants follow each upgrade.
                sql.ensure_network_role(
                    c, settings.network_role, os.environ.get("MAILLAGE_DB_NETWORK_PASSWORD") or None
                )
                sql.grant_network_reader(
                    c, role=settings.network_role, member=settings.runtime_role, tables=()
                )
                if not sql.database_exists(c, args.database):
                    sql.create_database(c, args.database, owner)

            await connection.run_sync(run)
    finally:
        await engine.dispose()
    target = make_url(admin_url).set(database=args.database).render_as_string(hide_password=False)
    engine = make_engine(target).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.run_sync(
                sql.prepare_schema,
                owner,
                [settings.runtime_role, settings.platform_role, settings.network_role],
            )
    finally:
        await engine.dispose()
    print(
        f"rôles {owner}, {settings.runtime_role}, {settings.platform_role}, "
        f"{settings.network_role} "
        f"et base {args.database} prêts"
    )
    return 0
