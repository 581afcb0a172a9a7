"""Run the ``maillage`` command as an operator would: a child process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests import warm
from tests.live import MAILLAGE, free_port

__all__ = ["MAILLAGE", "environment", "free_port", "maillage"]

# The checkout the tests run from: the installed command imports it first, not the copy
# the virtual environment was installed from (another worktree, in development).
CHECKOUT = str(Path(__file__).resolve().parents[2])


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with only the test's MAILLAGE_* variables: the
    developer's own must not leak in (the suite's password profile is kept: pytest_plugin).
    The code is this checkout's."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MAILLAGE_") or k == "MAILLAGE_PASSWORD_PROFILE"
    }
    path = os.pathsep.join(p for p in (CHECKOUT, base.get("PYTHONPATH")) if p)
    return {**base, "MAILLAGE_LOG_FORMAT": "console", "PYTHONPATH": path, **env}


def maillage(
    *args: str,
    env: Mapping[str, str],
    timeout: float = 120,
    input: str | None = None,
    cwd: Path | None = None,
    cold: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``maillage *args`` in a child process of its own, forked warm (tests/warm.py);
    ``cold``: started from the installed script, the interpreter's start included."""
    if not cold:
        return warm.run(args, env=environment(env), cwd=cwd, input=input, timeout=timeout)
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
