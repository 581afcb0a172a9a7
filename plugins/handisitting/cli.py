"""``maillage handisitting reminders``: the operator's job that mails sitters whose
required documents expire within 30 days (``reminders.py``), in every active pole that
enabled the plugin, one transaction per pole. Schedule it daily with ``maillage mail
send`` after it, e.g. in cron::

    15 7 * * *  maillage  maillage handisitting reminders && maillage mail send

It prints counts per pole, never a name or an address.
"""

from __future__ import annotations

import argparse
import datetime as dt

from core import sdk
from plugins.handisitting import reminders

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
    remind.add_argument("--tenant", help="slug d'un pôle (par défaut : tous ceux du module)")
    remind.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        metavar="AAAA-MM-JJ",
        help="date de référence (par défaut : aujourd'hui)",
    )
    remind.set_defaults(func=reminders_command)


async def reminders_command(settings: object, args: argparse.Namespace) -> int:
    today = args.today or dt.date.today()
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
        total = 0
        for pole in poles:
            async with db.session(pole.id) as session:
                done = await reminders.remind(session, pole, today=today)
                await session.commit()
            total += done.sent
            print(
                f"{pole.slug} : {done.sent} rappel(s) mis en file, "
                f"{done.already} déjà envoyé(s) pour la même pièce"
            )
    finally:
        await db.dispose()
    print(f"{total} rappel(s) en file d'envoi : « maillage mail send » les envoie")
    return 0
