"""Run the installed ``maillage`` command as an operator would: a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

MAILLAGE = str(Path(sys.executable).with_name("maillage"))


def maillage(
    *args: str, env: Mapping[str, str], timeout: float = 120, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    # Only the test's MAILLAGE_* variables: the developer's own must not leak in.
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    return subprocess.run(
        [MAILLAGE, *args],
        env={**base, "MAILLAGE_LOG_FORMAT": "console", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )
