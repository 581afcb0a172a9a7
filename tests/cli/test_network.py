"""``maillage network``, run as an operator would, on two installs (two SQLite
databases): the network's install defines the network, its poles and its people; the
other install signs a published release of its pole with its key; the network's
install trusts that key and imports the document, once. Each refusal exits 2 and
names what was wrong; nothing is written. The services under the commands are the
API's, tested on both databases (tests/network); here, as few processes as tell the
story."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from core.auth.models import User
from core.network.models import NetworkCatalogue, NetworkRelease, NetworkTrustedKey
from core.network.releases import the_network
from core.tenancy.database import Database
from core.tenancy.models import PlatformAuditEvent
from core.testing.network import store_published_pole
from tests.cli.run import maillage
from tests.conftest import make_tenant

ROOT = Path(__file__).resolve().parents[2]
# The other install's pole, as its own install published it: 40 children, two small
# age brackets hidden together (15 between them, an interval wider than k).
CELLS = [
    ("casework.children_followed", "", 40),
    ("casework.children_followed", "age_bracket=0-2", None),
    ("casework.children_followed", "age_bracket=3-5", None),
    ("casework.children_followed", "age_bracket=6-11", 25),
]


def install(sqlite_template: Path, folder: Path) -> tuple[Database, dict[str, str]]:
    folder.mkdir()
    path = folder / "maillage.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    # The child process runs this checkout's code.
    return Database(url), {"MAILLAGE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}


async def test_two_installs_carry_a_release_through_the_network_commands(
    sqlite_template: Path, tmp_path: Path
) -> None:
    network_db, network_env = install(sqlite_template, tmp_path / "reseau")
    other_db, other_env = install(sqlite_template, tmp_path / "autre")

    async def run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(maillage, "network", *args, env=env)

    try:
        # The network's install: the network, a local pole, a pole of the other install.
        local = await make_tenant(network_db, "63")
        async with network_db.reference_session() as session:
            session.add(User(email="coordination@reseau.example", display_name="Coordination"))
            await session.commit()
        made = await run(network_env, "init", "--name", "Réseau d'essai", "--k", "11")
        assert made.returncode == 0, made.stderr
        assert "réseau « Réseau d'essai », k = 11, catalogue v1" in made.stdout
        assert (await run(network_env, "pole", local.slug)).returncode == 0
        unknown = await run(network_env, "pole", "prh-inconnu")
        assert unknown.returncode == 2 and "--remote" in unknown.stderr
        remote = await run(
            network_env, "pole", "prh-lointain", "--remote", "--name", "Pôle lointain",
            "--departement", "59",
        )  # fmt: skip
        assert remote.returncode == 0 and "pôle prh-lointain (59)" in remote.stdout
        role = await run(
            network_env, "member", "coordination@reseau.example", "--role", "network_coordinator"
        )
        assert role.returncode == 0, role.stderr
        nobody = await run(network_env, "member", "absent@reseau.example", "--role", "aucun")
        assert nobody.returncode == 2 and "absent@reseau.example" in nobody.stderr
        shown = await run(network_env, "show")
        assert "Réseau d'essai (k = 11), catalogue v1" in shown.stdout
        assert "casework.children_followed : total, age_bracket" in shown.stdout
        assert f"pôle {local.slug}" in shown.stdout and "prh-lointain" in shown.stdout

        # The other install: its network (for its own poles) and a published release.
        assert (await run(other_env, "init", "--name", "Réseau d'essai")).returncode == 0
        async with other_db.reference_session() as session:
            pole = await store_published_pole(
                session,
                await the_network(session),
                code="prh-lointain",
                name="Pôle lointain",
                departement="59",
                years={2025: (600_000, CELLS)},
            )
            release = (
                await session.execute(
                    select(NetworkRelease).where(NetworkRelease.pole_id == pole.id)
                )
            ).scalar_one()
            await session.commit()
        key = await run(other_env, "key")
        assert key.returncode == 0, key.stderr
        kid, public_key = key.stdout.split()
        out = tmp_path / "publication.json"
        exported = await run(other_env, "export", str(release.id), "--out", str(out))
        assert exported.returncode == 0, exported.stderr
        assert f"prh-lointain 2025 v1 signée ({kid})" in exported.stdout
        envelope = json.loads(out.read_text(encoding="utf-8"))
        assert envelope["kid"] == kid and envelope["document"]["cells"]

        # Back on the network's install: not trusted yet, then trusted, imported once.
        untrusted = await run(network_env, "import", str(out))
        assert untrusted.returncode == 2 and kid in untrusted.stderr
        trusted = await run(
            network_env, "trust", "prh-lointain", "--kid", kid, "--public-key", public_key
        )
        assert trusted.returncode == 0, trusted.stderr
        tampered = tmp_path / "alteree.json"
        altered = json.loads(out.read_text(encoding="utf-8"))
        next(c for c in altered["document"]["cells"] if c["coords"] == "")["value"] = 41
        tampered.write_text(json.dumps(altered), encoding="utf-8")
        refused = await run(network_env, "import", str(tampered))
        assert refused.returncode == 2 and "signature" in refused.stderr
        imported = await run(network_env, "import", str(out))
        assert imported.returncode == 0, imported.stderr
        assert f"{out} : 2025 v1 importée" in imported.stdout
        again = await run(network_env, "import", str(out))
        assert again.returncode == 0 and "déjà importée (rien à faire)" in again.stdout

        async with network_db.reference_session() as session:
            releases = (
                await session.execute(select(func.count()).select_from(NetworkRelease))
            ).scalar_one()
            keys = (
                await session.execute(select(func.count()).select_from(NetworkTrustedKey))
            ).scalar_one()
            versions = (await session.execute(select(NetworkCatalogue.version))).scalars().all()
            coordinator = (
                await session.execute(
                    select(User.network_role).where(User.email == "coordination@reseau.example")
                )
            ).scalar_one()
            kinds = (await session.execute(select(PlatformAuditEvent.kind))).scalars().all()
        assert (releases, keys, versions) == (1, 1, [1])
        assert coordinator == "network_coordinator"
        for kind in ("network.trust", "network.release.import", "network.role"):
            assert kind in kinds, kinds
    finally:
        await network_db.dispose()
        await other_db.dispose()
