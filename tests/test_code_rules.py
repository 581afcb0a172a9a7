"""Rules the code keeps: ruff clean, layering contract, raw SQL in one module, docs in step."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RAW_SQL_MODULE = ROOT / "core" / "db" / "sql.py"
RAW_SQL_CALLS = {"text", "literal_column", "DDL"}
SQLALCHEMY_NAMES = {"sa", "sqlalchemy", "sql"}


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold():
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def _raw_sql_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                name = func.attr
                owner = getattr(func.value, "id", "")
                raw = name == "exec_driver_sql" or (
                    name in RAW_SQL_CALLS and owner in SQLALCHEMY_NAMES
                )
            else:
                name = getattr(func, "id", "")
                raw = name in RAW_SQL_CALLS
            if raw:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    return found


def test_raw_sql_lives_only_in_the_allow_listed_module():
    offenders = []
    for package in ("core", "plugins"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path != RAW_SQL_MODULE:
                offenders.extend(_raw_sql_uses(path))
    assert offenders == [], "raw SQL outside core/db/sql.py: " + ", ".join(offenders)


def test_the_raw_sql_check_can_see_raw_sql():
    assert _raw_sql_uses(RAW_SQL_MODULE), "the detector found nothing in the one allowed module"


def test_graphql_folder_holds_only_graphql_documents():
    strays = [p for p in (ROOT / "graphql").rglob("*") if p.is_file() and p.suffix != ".graphql"]
    assert strays == []
