"""``maillage letterhead``, run as an operator would: the logo is a file, checked like
the API's; an error names the option and the file, exits 2 and writes nothing; the
change is audited under the operator's name."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.domain.letterhead.service import letterhead
from tests.cli.run import maillage
from tests.conftest import DbUrls, make_tenant


async def test_the_operator_sets_a_pole_s_letterhead_from_files(
    sqlite_urls: DbUrls, tmp_path: Path
) -> None:
    """On SQLite only: the service under it is the API's, tested on both databases;
    each command is a process of a few seconds, so as few as tell the story."""
    db = sqlite_urls.database()
    pole = await make_tenant(db)
    env = {"MAILLAGE_DATABASE_URL": sqlite_urls.runtime}

    async def run(*args: str):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(maillage, "letterhead", *args, env=env)

    missing = await run("set", "--pole", pole.slug, "--name", "Non", "--logo", "absent.png")
    assert missing.returncode == 2
    assert "--logo" in missing.stderr and "absent.png" in missing.stderr
    text = tmp_path / "logo.png"
    text.write_text("pas une image", encoding="utf-8")
    refused = await run("set", "--pole", pole.slug, "--name", "Non", "--logo", str(text))
    assert refused.returncode == 2 and "--logo" in refused.stderr
    assert "PNG ou JPEG" in refused.stderr

    logo = tmp_path / "logo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (200, 80), (0, 90, 60)).save(buffer, "JPEG")
    logo.write_bytes(buffer.getvalue())
    done = await run(
        "set",
        "--pole",
        pole.slug,
        "--name",
        "PRH Essai",
        "--address",
        "1 rue A\\n63000 B",
        "--colour",
        "#005A3C",
        "--logo",
        str(logo),
    )
    assert done.returncode == 0, done.stderr
    assert "PRH Essai" in done.stdout and "image/jpeg" in done.stdout
    assert "#005a3c" in done.stdout
    shown = await run("show", "--pole", pole.slug)
    assert shown.returncode == 0 and shown.stdout == done.stdout

    async with db.session(pole.id) as session:
        printed = await letterhead(session, pole)
        events = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "letterhead.set"))
        ).all()
    assert printed.name == "PRH Essai" and printed.address == "1 rue A\n63000 B"
    assert printed.logo is not None and printed.logo.content == logo.read_bytes()
    assert [e.actor.startswith("operator:") for e in events] == [True]
    await db.dispose()
