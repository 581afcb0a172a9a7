"""``maillage report build``, run as an operator would: the files of the formats asked for,
their paths on standard output and nothing else there; a wrong pole, format or folder named
by its option, exit 2, nothing written."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import openpyxl

from tests.cli.run import maillage
from tests.conftest import DbUrls, make_tenant
from tests.domain.test_figures import children


async def test_the_operator_builds_a_poles_report_as_files(
    sqlite_urls: DbUrls, tmp_path: Path
) -> None:
    """On SQLite only: the builder under it is the API's, tested through GraphQL."""
    out = tmp_path / "rapports"
    out.mkdir()
    db = sqlite_urls.database()
    pole = await make_tenant(db)
    await children(db, pole)  # three children followed in 2025
    await db.dispose()
    env = {"MAILLAGE_DATABASE_URL": sqlite_urls.runtime}

    async def run(*args: str):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(maillage, "report", "build", *args, env=env)

    for args, option in (
        (("--pole", "inconnu", "--year", "2025"), "--pole"),
        (("--pole", pole.slug, "--year", "2025", "--format", "odt"), "--format"),
        (("--pole", pole.slug, "--year", "2025", "--output", str(out / "absent")), "--output"),
        (("--pole", pole.slug, "--year", "1850"), "year"),
    ):
        refused = await run(*args)
        assert refused.returncode == 2, refused.stderr
        assert option in refused.stderr and refused.stdout == ""
    assert list(out.iterdir()) == []

    done = await run(
        "--pole", pole.slug, "--year", "2025", "--format", "xlsx,docx", "--output", str(out)
    )
    assert done.returncode == 0, done.stderr
    name = f"rapport-activite-{pole.slug}-2025"
    assert done.stdout.splitlines() == [str(out / f"{name}.{f}") for f in ("xlsx", "docx")]
    assert done.stderr == ""  # no terminal: no progress bar
    book = openpyxl.load_workbook(io.BytesIO((out / f"{name}.xlsx").read_bytes()))
    ages = next(s for s in book.worksheets if s["A1"].value == "Enfants suivis par tranche d'âge")
    assert [row[0].value for row in ages.iter_rows(min_row=5, max_row=8)][-1] == "Total"
    assert ages.cell(row=8, column=2).value == 3  # a number, not a text
    published = await run(
        "--pole", pole.slug, "--year", "2025", "--format", "html", "--published",
        "--output", str(out),
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    page = (out / f"{name}-publie.html").read_text(encoding="utf-8")
    assert "Copie publiée" in page and "&lt; 5" in page
