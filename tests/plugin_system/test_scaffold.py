"""`maillage plugin new` → a separate package that installs and passes its own tests.

The package is installed with pip (a real wheel build of its pyproject, entry point
included) into a target folder rather than into the shared virtualenv, so that the
rest of the suite keeps seeing only the first-party plugins; its tests then run in a
subprocess whose path includes that folder, as they would for an integrator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli.main import main
from core.cli.scaffold import scaffold_plugin
from core.errors import ValidationError

MAILLAGE = str(Path(sys.executable).parent / "maillage")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(extra)
    return env


def test_generated_plugin_installs_is_discovered_and_passes_its_own_tests(tmp_path: Path) -> None:
    new = subprocess.run(
        [MAILLAGE, "plugin", "new", "fratries", "--dir", str(tmp_path), "--title", "Fratries"],
        env=_env(MAILLAGE_VAR_DIR=str(tmp_path / "var")),
        capture_output=True,
        text=True,
        check=False,
    )
    assert new.returncode == 0, new.stderr
    package = tmp_path / "maillage-fratries"
    assert (package / "pyproject.toml").is_file()

    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(package),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    env = _env(PYTHONPATH=str(site), MAILLAGE_VAR_DIR=str(tmp_path / "var"))

    listed = subprocess.run(
        [MAILLAGE, "plugin", "list"], env=env, capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert "fratries 0.1.0" in listed.stdout
    assert "tables : fratries_activities" in listed.stdout

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout


def test_the_generated_code_is_ruff_clean(tmp_path: Path) -> None:
    package = scaffold_plugin("fratries", tmp_path)
    ruff = str(Path(sys.executable).parent / "ruff")
    result = subprocess.run(
        [ruff, "check", "--no-cache", "."],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    formatted = subprocess.run(
        [ruff, "format", "--check", "--no-cache", "."],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout


@pytest.mark.parametrize("name", ["Fratries", "1fratries", "a", "core", "avec-tiret"])
def test_a_bad_name_is_refused_before_anything_is_written(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        scaffold_plugin(name, tmp_path)
    assert info.value.field == "name"
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scaffold_plugin("fratries", tmp_path)
    assert main(["plugin", "new", "fratries", "--dir", str(tmp_path)]) == 2
    assert "existe déjà" in capsys.readouterr().err
