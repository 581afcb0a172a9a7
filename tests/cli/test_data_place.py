"""Where an install keeps its data: every command finds the same database from any
folder (a plugin's checkout included), says which one with ``maillage db where``, and
never starts a new empty one by accident (issue 16, finding 5).

``maillage`` runs as a child process from a folder that is not the install's, as an
integrator does from their plugin's folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.cli.main import main
from tests.cli.run import maillage

ROOT = Path(__file__).resolve().parents[2]


def test_commands_find_the_installs_database_from_any_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "maillage-fratries"
    elsewhere.mkdir()
    where = maillage("db", "where", env={}, cwd=elsewhere)
    assert where.returncode == 0, where.stderr
    assert f"{ROOT / 'var' / 'maillage.sqlite3'}" in where.stdout
    assert f"dossier de l'installation : {ROOT}" in where.stdout
    assert not (elsewhere / "var").exists()


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An install folder that holds no database yet, and another current folder."""
    for name in [n for n in os.environ if n.startswith("MAILLAGE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MAILLAGE_HOME", str(tmp_path / "install"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "install"


def test_the_home_setting_moves_the_data_and_db_where_names_it(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "where"]) == 0
    out = capsys.readouterr().out
    assert f"{elsewhere / 'var' / 'maillage.sqlite3'} — absente" in out
    assert f"dossier de l'installation : {elsewhere} (réglé par MAILLAGE_HOME)" in out


@pytest.mark.parametrize(
    "command", [["tenants", "list"], ["db", "revision", "-m", "essai"], ["db", "current"]]
)
def test_a_command_refuses_to_start_an_empty_database(
    command: list[str], elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 2
    err = capsys.readouterr().err
    assert f"aucune base de données à {elsewhere / 'var' / 'maillage.sqlite3'}" in err
    assert "« maillage db upgrade » la crée" in err
    assert "« maillage db where »" in err
    assert not elsewhere.exists()


def test_serve_with_workers_refuses_before_starting_them(tmp_path: Path) -> None:
    """Each worker would build its own app and die with a trace: the check runs first."""
    home = tmp_path / "install"
    done = maillage(
        "serve", "--workers", "2", env={"MAILLAGE_HOME": str(home)}, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"aucune base de données à {home / 'var' / 'maillage.sqlite3'}" in done.stderr
    assert "Traceback" not in done.stderr
