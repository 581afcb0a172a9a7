"""The operator's jobs of handisitting, in every active pole that enabled the plugin
(or ``--tenant``), one transaction per pole; each prints counts per pole, never a name
or an address.

``maillage handisitting reminders`` mails sitters whose required documents expire within
30 days (``reminders.py``, decision 177); ``maillage mail send`` sends them. Daily, e.g.
in cron::

    15 7 * * *  maillage  maillage handisitting reminders && maillage mail send

``maillage handisitting purge`` applies each pole's retention (``retention_months``):
sitters with nothing for that long since their last sitting are erased, files of
documents expired for that long are dropped (``personal_data.purge``, decision 206). A
dry run unless ``--apply``, as ``maillage gdpr purge``::

    45 2 * * 1  maillage  maillage handisitting purge --apply
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import personal_data, reminders

PLUGIN = "handisitting"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("handisitting", help="handisitting : tâches de l'exploitant")
    actions = parser.add_subparsers(dest="handisitting_command", metavar="ACTION", required=True)
    remind = actions.add_parser(
        "reminders",
        help="écrire aux intervenant·es dont une pièce obligatoire expire dans les 30 jours",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _pole_options(remind)
    remind.set_defaults(func=reminders_command)
    purge = actions.add_parser(
        "purge",
        help="appliquer la durée de conservation des données des intervenant·es "
        "(simulation sans --apply)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _pole_options(purge)
    purge.add_argument("--apply", action="store_true", help="effacer vraiment (sinon : simulation)")
    purge.set_defaults(func=purge_command)


def _pole_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", help="slug d'un pôle (par défaut : tous ceux du module)")
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        metavar="AAAA-MM-JJ",
        help="date de référence (par défaut : aujourd'hui)",
    )


async def _each_pole(
    settings: object,
    args: argparse.Namespace,
    work: Callable[[sdk.Tenant, AsyncSession], Awaitable[None]],
) -> None:
    """Run ``work(pole, session)`` in each pole that enabled the plugin (or ``--tenant``'s),
    one session each; ``work`` commits or not."""
    db = sdk.Database.from_settings(settings)  # type: ignore[arg-type]
    try:
        poles = await sdk.poles_with_plugin(db, args.plugins_host, PLUGIN)
        if args.tenant:
            poles = [p for p in poles if p.slug == args.tenant]
            if not poles:
                raise sdk.ValidationError(
                    f"pôle inconnu, inactif ou sans le module handisitting : {args.tenant}",
                    field="--tenant",
                )
        for pole in poles:
            async with db.session(pole.id) as session:
                await work(pole, session)
    finally:
        await db.dispose()


async def reminders_command(settings: object, args: argparse.Namespace) -> int:
    today = args.today or dt.date.today()
    total = 0

    async def work(pole: sdk.Tenant, session: AsyncSession) -> None:
        nonlocal total
        done = await reminders.remind(session, pole, today=today)
        await session.commit()
        total += done.sent
        print(
            f"{pole.slug} : {done.sent} rappel(s) mis en file, "
            f"{done.already} déjà envoyé(s) pour la même pièce"
        )

    await _each_pole(settings, args, work)
    print(f"{total} rappel(s) en file d'envoi : « maillage mail send » les envoie")
    return 0


def _operator() -> str:
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "inconnu"
    return f"operator:{login}"


async def purge_command(settings: object, args: argparse.Namespace) -> int:
    """Erase in each pole what its retention says; without ``--apply`` the same work is
    done and rolled back, so the dry run counts exactly what ``--apply`` would do."""
    today = args.today or dt.date.today()
    actor = _operator()
    print(
        f"conservation handisitting au {today:%d/%m/%Y} — "
        + ("application" if args.apply else "simulation (rien n'est effacé ; --apply pour agir)")
    )
    erased = files = 0

    async def work(pole: sdk.Tenant, session: AsyncSession) -> None:
        nonlocal erased, files
        months = int(
            (await sdk.plugin_settings(args.plugins_host, session, PLUGIN))["retention_months"]
        )
        done = await personal_data.purge(
            session,
            today=today,
            retention_months=months,
            actor=actor,
        )
        if args.apply:
            await session.commit()
        else:
            await session.rollback()
        erased += done["sitters"]
        files += done["documents"]
        verbs = ("effacé·e(s)", "supprimé(s)") if args.apply else ("à effacer", "à supprimer")
        print(
            f"{pole.slug} : {done['sitters']} intervenant·e(s) {verbs[0]}, "
            f"{done['documents']} fichier(s) de pièces {verbs[1]} "
            f"(conservation : {months} mois après la dernière garde)"
        )

    await _each_pole(settings, args, work)
    print(
        f"{erased} intervenant·e(s), {files} fichier(s) de pièces"
        + (" effacés" if args.apply else " à effacer avec --apply")
    )
    return 0
