"""Copy GraphiQL's browser files from the npm packages (``npm ci`` here first) into
``core/app/static/graphiql/``, with a LICENSES.md naming each package and version.

Run by ``make graphiql-assets`` after changing a version in package.json; commit the
result. The list of files is ``core.app.graphiql.VENDOR``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from core.app.graphiql import STATIC_DIR, VENDOR  # noqa: E402

MODULES = HERE / "node_modules"


def main() -> None:
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    notices = [
        "# GraphiQL's files: where they come from\n\n",
        "Copied from the npm registry packages below by `make graphiql-assets` "
        "(assets/graphiql/); do not edit them here.\n\n",
    ]
    seen: set[str] = set()
    for package, inside, served in VENDOR:
        shutil.copyfile(MODULES / package / inside, STATIC_DIR / served)
        notices.append(f"- `{served}`: `{package}/{inside}`\n")
        seen.add(package)
    for package in sorted(seen):
        meta = json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))
        notices.append(f"\n## {package} {meta['version']} ({meta['license']})\n")
        license_file = MODULES / package / "LICENSE"
        if license_file.exists():
            notices.append("\n```\n" + license_file.read_text(encoding="utf-8").strip() + "\n```\n")
    (STATIC_DIR / "LICENSES.md").write_text("".join(notices), encoding="utf-8")


if __name__ == "__main__":
    main()
