"""Expiry reminders by mail, as the operator runs them: ``maillage handisitting
reminders`` (a child process, on the test's database) queues one mail per required
document that expires within 30 days, ``maillage mail send`` hands them to a real SMTP
relay on this machine; a second run sends nothing for the same documents. A document
that is not required (first aid) and one far from its expiry get no mail; a pole that
did not enable the plugin is not visited."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.auth.smtp_relay import relay
from tests.cli.run import maillage
from tests.plugins.handisitting.operations import (
    ADD_DOCUMENT,
    approved_sitter,
    families,
    ok,
    today,
)


def _run(env: dict[str, str], *args: str) -> str:
    done = maillage(*args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_a_sitter_is_reminded_once_per_document_through_the_relay(
    make_tenant: Any, enable_plugin: Any, graphql: Any, maillage_urls: Any
) -> None:
    tenant = await make_tenant("62", core_demo=True)
    await enable_plugin(tenant, "handisitting")
    other = await make_tenant("62")  # the plugin is not enabled there
    family = (await families(graphql, tenant))[0]
    # Identity and criminal-record extract expire in 300 days (the helper's).
    tag = uuid.uuid4().hex[:8]
    sitter = await approved_sitter(graphql, tenant, family["commune"]["inseeCode"], tag=tag)
    first_aid = {
        "sitterId": sitter["id"],
        "kind": "first_aid",
        "issuedOn": (today() - dt.timedelta(days=10)).isoformat(),
        "expiresOn": (today() + dt.timedelta(days=290)).isoformat(),
    }
    ok(
        await graphql.execute(ADD_DOCUMENT, {"input": first_aid}, tenant=tenant),
        "handisittingAddDocument",
    )
    # The outbox is the platform's (shared by the tests on PostgreSQL): this sitter's own.
    address = f"camille.{tag}@exemple.invalid"
    with relay("plain") as (port, inbox):
        env = {
            "MAILLAGE_DATABASE_URL": maillage_urls.runtime,
            "MAILLAGE_PLATFORM_DATABASE_URL": maillage_urls.platform,
            "MAILLAGE_MAIL": f"smtp://127.0.0.1:{port}",
            "MAILLAGE_MAIL_FROM": "maillage <no-reply@maillage.test>",
        }
        # Too early: nothing expires within 30 days of this day.
        early = (today() + dt.timedelta(days=200)).isoformat()
        printed = _run(env, "handisitting", "reminders", "--tenant", tenant.slug, "--today", early)
        assert f"{tenant.slug} : 0 rappel(s) mis en file" in printed

        due = (today() + dt.timedelta(days=280)).isoformat()
        printed = _run(env, "handisitting", "reminders", "--today", due)
        assert f"{tenant.slug} : 2 rappel(s) mis en file, 0 déjà envoyé(s)" in printed
        assert other.slug not in printed
        assert address not in printed  # counts only, never an address
        _run(env, "mail", "send")
        assert len([m for m in inbox.messages if m.to == [address]]) == 2

        # Once per document: the next day's run (and a run after expiry) sends nothing.
        for later in (281, 305):
            day = (today() + dt.timedelta(days=later)).isoformat()
            printed = _run(
                env, "handisitting", "reminders", "--tenant", tenant.slug, "--today", day
            )
            assert f"{tenant.slug} : 0 rappel(s) mis en file, 2 déjà envoyé(s)" in printed
        _run(env, "mail", "send")

    mine = [m for m in inbox.messages if m.to == [address]]
    assert len(mine) == 2
    bodies = sorted(m.content for m in mine)
    assert "votre extrait de casier judiciaire (bulletin n° 3) expire le" in bodies[0]
    assert "votre pièce d'identité expire le" in bodies[1]
    assert all("ne pourra plus vous proposer de garde" in b for b in bodies)


async def test_an_unknown_pole_is_one_line_naming_the_option(maillage_urls: Any) -> None:
    done = maillage(
        "handisitting", "reminders", "--tenant", "nulle-part",
        env={
            "MAILLAGE_DATABASE_URL": maillage_urls.runtime,
            "MAILLAGE_PLATFORM_DATABASE_URL": maillage_urls.platform,
        },
    )  # fmt: skip
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("maillage: erreur: --tenant: pôle inconnu")
