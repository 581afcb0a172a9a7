"""Every file the installed package needs is declared as package data.

Tests run from the source tree (an editable install), where a template or a static
file is found whether or not pyproject.toml declares it; the container image and a
plain ``pip install`` get only what is declared. A file beside the code that no
pattern covers would work in every test and be missing in production.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What is not package data: code, caches, and the files a package never ships.
NOT_DATA = {".py", ".pyc"}


def declared() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]


def package_of(path: Path) -> Path:
    folder = path.parent
    while not (folder / "__init__.py").exists():
        folder = folder.parent
    return folder


def covered(path: Path, patterns: dict[str, list[str]]) -> bool:
    """Whether a pattern of the file's package, or of a package above it, names it."""
    package = package_of(path)
    while package != ROOT and (package / "__init__.py").exists():
        name = ".".join(package.relative_to(ROOT).parts)
        relative = path.relative_to(package).as_posix()
        for glob in patterns.get(name, []):
            # setuptools' "*" does not cross "/", its "**" does.
            depth_ok = "**" in glob or glob.count("/") == relative.count("/")
            if depth_ok and fnmatch.fnmatch(relative, glob):
                return True
        package = package.parent
    return False


def test_every_data_file_beside_the_code_is_declared() -> None:
    patterns = declared()
    missing = []
    for path in sorted([*ROOT.glob("core/**/*"), *ROOT.glob("plugins/**/*")]):
        if not path.is_file() or path.suffix in NOT_DATA or "__pycache__" in path.parts:
            continue
        if "node_modules" in path.parts:
            continue
        if not covered(path, patterns):
            missing.append(path.relative_to(ROOT).as_posix())
    assert missing == [], "add them to [tool.setuptools.package-data] in pyproject.toml"
