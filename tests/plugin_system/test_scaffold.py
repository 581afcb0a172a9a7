"""`maillage plugin new` → a separate package that installs and passes its own tests.

The package is installed with pip (a real wheel build of its pyproject, entry point
included) into a target folder rather than into the shared virtualenv, so that the
rest of the suite keeps seeing only the first-party plugins; its tests then run in a
subprocess whose path includes that folder, as they would for an integrator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli.main import main
from core.cli.scaffold import scaffold_plugin
from core.errors import ValidationError
from tests.cli.run import maillage

RUFF = str(Path(sys.executable).parent / "ruff")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(extra)
    return env


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )


def test_generated_plugins_install_are_discovered_and_pass_their_own_tests(
    tmp_path: Path,
) -> None:
    """Both variants, installed together with one pip run (a wheel build each), then
    each package's own tests (the contract included) in a subprocess."""
    var = _env(MAILLAGE_VAR_DIR=str(tmp_path / "var"))
    for command in (
        ["fratries", "--title", "Fratries"],
        ["ateliers", "--minimal"],
    ):
        new = maillage("plugin", "new", *command, "--dir", str(tmp_path), env=var, cwd=tmp_path)
        assert new.returncode == 0, new.stderr
    full, minimal = tmp_path / "maillage-fratries", tmp_path / "maillage-ateliers"
    assert (full / ".gitignore").is_file() and (minimal / ".gitignore").is_file()

    site = tmp_path / "site"
    install = _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--target",
        str(site),
        str(full),
        str(minimal),
        env=_env(),
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr
    # A plain install carries the page's template and named operation (package data).
    assert (site / "maillage_fratries" / "templates" / "fratries" / "activities.html").is_file()
    assert (site / "maillage_fratries" / "operations" / "FratriesActivities.graphql").is_file()
    env = _env(PYTHONPATH=str(site), MAILLAGE_VAR_DIR=str(tmp_path / "var"))

    listed = maillage("plugin", "list", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "fratries 0.1.0" in listed.stdout and "ateliers 0.1.0" in listed.stdout
    assert "tables : fratries_activities" in listed.stdout
    assert "tables : ateliers_activities" in listed.stdout

    for package in (full, minimal):
        tests = _run(
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", env=env, cwd=package
        )
        assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
        assert " passed" in tests.stdout and "failed" not in tests.stdout

    _deleting_the_only_migration_names_the_cause_and_db_revision_writes_a_clean_one(
        site / "maillage_fratries" / "migrations" / "versions", full, env, tmp_path
    )


def _deleting_the_only_migration_names_the_cause_and_db_revision_writes_a_clean_one(
    versions: Path, package: Path, env: dict[str, str], cwd: Path
) -> None:
    """pip installs no empty folder: with the only revision deleted, the plugin has no
    versions folder at all. The upgrade names the plugin, its table and the command
    (not MAILLAGE_PLUGINS, not a hook it has); the revision that command writes passes
    the package's own ruff settings, and the upgrade then creates the table."""
    for revision in versions.glob("*.py"):
        revision.unlink()
    shutil.rmtree(versions)
    upgrade = maillage("db", "upgrade", "--no-territory", env=env, cwd=cwd)
    assert upgrade.returncode == 2, upgrade.stdout + upgrade.stderr
    assert "fratries déclare les tables fratries_activities" in upgrade.stderr
    assert "maillage db revision --plugin fratries" in upgrade.stderr
    assert "MAILLAGE_PLUGINS" not in upgrade.stderr
    assert "ajoutez le crochet" not in upgrade.stderr

    revision = maillage(
        "db",
        "revision",
        "--plugin",
        "fratries",
        "-m",
        "tables initiales",
        env=env,
        cwd=cwd,
    )
    assert revision.returncode == 0, revision.stdout + revision.stderr
    [generated] = versions.glob("*_tables_initiales.py")
    config = str(package / "pyproject.toml")
    for check in (["check"], ["format", "--check"]):
        ruff = _run(
            RUFF, *check, "--no-cache", "--config", config, str(generated), env=env, cwd=cwd
        )
        assert ruff.returncode == 0, ruff.stdout + generated.read_text(encoding="utf-8")

    upgrade = maillage("db", "upgrade", "--no-territory", env=env, cwd=cwd)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert "fratries" in upgrade.stdout


@pytest.mark.parametrize("minimal", [False, True], ids=["full", "minimal"])
def test_the_generated_code_is_ruff_clean(tmp_path: Path, minimal: bool) -> None:
    package = scaffold_plugin("fratries", tmp_path, minimal=minimal)
    assert ".sqlite3" in (package / ".gitignore").read_text(encoding="utf-8")
    ruff = RUFF
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
