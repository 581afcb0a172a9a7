"""Long jobs show a progress bar on standard error when it is a terminal; a script
(no terminal) sees only the result on standard output and nothing else."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading

from tests.cli.run import MAILLAGE, environment, maillage
from tests.conftest import DbUrls


def test_without_a_terminal_nothing_but_the_result(
    sqlite_urls: DbUrls,
) -> None:
    result = maillage(
        "territory", "load", "--force", env={"MAILLAGE_DATABASE_URL": sqlite_urls.runtime}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("chargé en ") and result.stdout.count("\n") == 1
    assert result.stderr == ""


def test_on_a_terminal_a_progress_bar_counts_the_rows(sqlite_urls: DbUrls) -> None:
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the child closed its side
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    process = subprocess.run(
        [MAILLAGE, "territory", "load", "--force"],
        env=environment({"MAILLAGE_DATABASE_URL": sqlite_urls.runtime, "COLUMNS": "120"}),
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        timeout=120,
        check=False,
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    # Without the terminal's colour and cursor codes.
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    assert process.returncode == 0
    assert process.stdout.startswith("chargé en ")
    assert "référentiel territorial" in shown
    # rich's "done/total" column climbs to the total: "1390/71852" … "71852/71852".
    counts = [(int(done), int(total)) for done, total in re.findall(r"(\d+)/(\d+)", shown)]
    assert counts and counts[-1][0] == counts[-1][1] > 30000
