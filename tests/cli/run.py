"""Run the installed ``maillage`` command as an operator would: a child process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.live import MAILLAGE, free_port

__all__ = ["MAILLAGE", "environment", "free_port", "maillage"]


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with only the test's MAILLAGE_* variables: the
    developer's own must not leak in."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    return {**base, "MAILLAGE_LOG_FORMAT": "console", **env}


def maillage(
    *args: str,
    env: Mapping[str, str],
    timeout: float = 120,
    input: str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAILLAGE), *args],
        cwd=cwd,
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )
