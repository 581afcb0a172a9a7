"""``maillage plugin new <name> [--minimal]``: a separate, pip-installable plugin package.

Two variants, both working plugins that install and pass their own tests (the
platform's contract included) right after generation:

* ``template/full/`` — the sample: a tenant-scoped model and its migration, a GraphQL
  namespace with a paginated query and a mutation, settings, actions, an indicator, a
  CSV route, a page of the web app (template and named operation), demo data;
* ``template/minimal/`` — one model, one query, one mutation, their tests.

``template/common/`` holds what both share (pyproject with its ruff settings,
``.gitignore``, the tests' conftest and contract). Tokens ``{{…}}`` are replaced in
file contents and paths; ``package`` in paths becomes the Python package name, ``gitignore``
becomes ``.gitignore`` (a dot file would be left out of maillage's own package data).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core import __version__
from core.errors import ValidationError
from core.plugins.manifest import API_VERSION, PLUGIN_NAME_RE, RESERVED_NAMES

TEMPLATE = Path(__file__).resolve().parent / "template"
SUFFIX = ".tmpl"


def tokens(name: str, title: str, description: str) -> dict[str, str]:
    prefix = "".join(part.capitalize() for part in name.split("_"))
    return {
        "name": name,
        "prefix": prefix,
        "camel": prefix[:1].lower() + prefix[1:],
        "package": f"maillage_{name}",
        "dist": name.replace("_", "-"),
        "title": title,
        "description": description,
        "date": dt.date.today().isoformat(),
        "maillage_version": __version__,
        "api_version": API_VERSION,
    }


def _render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _destination(relative: str, values: dict[str, str]) -> str:
    # Tokens in paths too: a plugin's templates sit in a folder named after it
    # (``templates/<name>/``), so that two plugins' page templates never collide.
    relative = _render(relative.replace("package/", f"{values['package']}/", 1), values)
    return ".gitignore" if relative == "gitignore" else relative


def scaffold_plugin(
    name: str,
    parent: Path,
    *,
    title: str | None = None,
    description: str | None = None,
    minimal: bool = False,
) -> Path:
    """Write the package into ``parent/maillage-<name>`` and return that folder."""
    if not PLUGIN_NAME_RE.match(name) or name in RESERVED_NAMES:
        raise ValidationError(
            "nom invalide : minuscules, chiffres et _ (2 à 41 caractères, commence par une "
            "lettre), hors noms réservés",
            field="name",
        )
    for label, text in (("--title", title), ("--description", description)):
        if text is not None and ('"' in text or "\\" in text or "\n" in text):
            raise ValidationError(
                "guillemets, barres obliques inverses et retours refusés", field=label
            )
    values = tokens(
        name,
        title or name.replace("_", " ").capitalize(),
        description or f"Module {name} pour les pôles ressources handicap.",
    )
    target = Path(parent) / f"maillage-{values['dist']}"
    if target.exists():
        raise ValidationError(f"{target} existe déjà : choisissez un autre dossier", field="--dir")
    variant = TEMPLATE / ("minimal" if minimal else "full")
    for folder in (TEMPLATE / "common", variant):
        for source in sorted(folder.rglob(f"*{SUFFIX}")):
            relative = source.relative_to(folder).as_posix().removesuffix(SUFFIX)
            _write(target / _destination(relative, values), source, values)
    return target


def _write(destination: Path, source: Path, values: dict[str, str]) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(_render(source.read_text(encoding="utf-8"), values), encoding="utf-8")
