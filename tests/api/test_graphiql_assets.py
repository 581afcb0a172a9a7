"""GraphiQL's files in the package are the npm registry's, at the pinned versions: the
committed copies are byte for byte the files of the packages ``npm ci`` installs from
assets/graphiql/package-lock.json (``make test-deps``), and nothing points to a CDN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.app.graphiql import OWN, STATIC_DIR, VENDOR
from tests.conftest import IN_CI

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "graphiql"
MODULES = ASSETS / "node_modules"


def pinned() -> dict[str, str]:
    return json.loads((ASSETS / "package.json").read_text(encoding="utf-8"))["dependencies"]


def test_versions_are_pinned_and_locked_with_the_registry_digests() -> None:
    lock = json.loads((ASSETS / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for package, version in pinned().items():
        assert version[0].isdigit(), f"{package}: pin an exact version, not {version}"
        assert lock[f"node_modules/{package}"]["version"] == version
    for path, entry in lock.items():
        if path:  # every package checked against the registry's tarball digest
            assert entry["integrity"].startswith("sha512-"), path
            assert entry.get("resolved", "https://registry.npmjs.org/").startswith(
                "https://registry.npmjs.org/"
            ), path


def test_the_served_files_are_the_packages_files() -> None:
    if not (MODULES / ".installed-stamp").exists():
        if IN_CI:
            pytest.fail("CI=true and assets/graphiql/node_modules is missing: make test-deps")
        pytest.skip("assets/graphiql/node_modules missing: make test-deps")
    for package, inside, served in VENDOR:
        installed = json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))
        assert installed["version"] == pinned()[package]
        committed = (STATIC_DIR / served).read_bytes()
        assert committed == (MODULES / package / inside).read_bytes(), (
            f"{served} differs from {package}/{inside}: run make graphiql-assets"
        )


def test_licenses_name_each_package_and_nothing_loads_from_elsewhere() -> None:
    licenses = (STATIC_DIR / "LICENSES.md").read_text(encoding="utf-8")
    for package, version in pinned().items():
        assert f"## {package} {version} (MIT)" in licenses
    for own in OWN:
        text = (STATIC_DIR / own).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, own
    expected = {served for _, _, served in VENDOR} | set(OWN) | {"LICENSES.md"}
    assert {p.name for p in STATIC_DIR.iterdir()} == expected
