"""The retention as the operator runs it: ``maillage handisitting purge`` (a child
process, on the test's database) over the poles that enabled the plugin, each with its
own ``retention_months``; a dry run unless ``--apply``, counts only, never a name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.cli.run import maillage
from tests.plugins.handisitting.operations import approved_sitter, data, today

STATUS = """query($id: ID!) { node(id: $id) { ... on HandisittingSitter {
  lastName status { value } } } }"""


def _run(env: dict[str, str], *args: str) -> str:
    done = maillage("handisitting", "purge", *args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _status(graphql: Any, tenant: Any, sitter: dict[str, Any]) -> str:
    found = data(await graphql.execute(STATUS, {"id": sitter["id"]}, tenant=tenant), "node")
    return str(found["status"]["value"])


async def test_the_purge_command_applies_each_poles_retention(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_urls: Any
) -> None:
    short = await make_tenant("62")
    await enable_plugin(short, "handisitting", settings={"retention_months": 6})
    long = await make_tenant("62")
    await enable_plugin(long, "handisitting")  # 24 months
    other = await make_tenant("62")  # the plugin is not enabled there
    gone = await approved_sitter(graphql, short, "62119", tag="court")
    kept = await approved_sitter(graphql, long, "62119", tag="long")
    env = {
        "MAILLAGE_DATABASE_URL": maillage_urls.runtime,
        "MAILLAGE_PLATFORM_DATABASE_URL": maillage_urls.platform,
    }
    # 300 days on: beyond six months since her vetting, within 24 months for the other.
    later = (today() + dt.timedelta(days=300)).isoformat()
    printed = _run(env, "--today", later)
    assert "simulation (rien n'est effacé ; --apply pour agir)" in printed
    assert f"{short.slug} : 1 intervenant·e(s) à effacer, 0 fichier(s)" in printed
    assert f"{long.slug} : 0 intervenant·e(s) à effacer" in printed
    assert other.slug not in printed and "Verdonck" not in printed
    assert await _status(graphql, short, gone) == "approved"  # a dry run erases nothing

    for tenant in (short, long):
        printed = _run(env, "--tenant", tenant.slug, "--today", later, "--apply")
    assert await _status(graphql, short, gone) == "erased"
    assert await _status(graphql, long, kept) == "approved"

    # Three years on, the other pole's sitter goes too, her expired files first.
    much_later = (today() + dt.timedelta(days=1100)).isoformat()
    printed = _run(env, "--tenant", long.slug, "--today", much_later, "--apply")
    assert f"{long.slug} : 1 intervenant·e(s) effacé·e(s), 2 fichier(s) de pièces supprimé(s)" in (
        printed
    )
    assert await _status(graphql, long, kept) == "erased"
    printed = _run(env, "--tenant", short.slug, "--today", much_later, "--apply")
    assert f"{short.slug} : 0 intervenant·e(s) effacé·e(s)" in printed


async def test_an_unknown_pole_is_one_line_naming_the_option(maillage_urls: Any) -> None:
    done = maillage(
        "handisitting", "purge", "--tenant", "nulle-part",
        env={
            "MAILLAGE_DATABASE_URL": maillage_urls.runtime,
            "MAILLAGE_PLATFORM_DATABASE_URL": maillage_urls.platform,
        },
    )  # fmt: skip
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("maillage: erreur: --tenant: pôle inconnu")
