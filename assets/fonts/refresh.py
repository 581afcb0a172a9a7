"""Copy the printed documents' font files from the npm package (``npm ci`` here first)
into ``core/api/documents/fonts/``, with the font's licence beside them.

Run by ``make document-fonts`` after changing the version in package.json; commit the
result. The list of files is ``core.api.documents.FONT_FILES``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from core.api.documents import FONT_FILES, FONTS_DIR  # noqa: E402

PACKAGE = HERE / "node_modules" / "@expo-google-fonts" / "atkinson-hyperlegible"


def main() -> None:
    FONTS_DIR.mkdir(parents=True, exist_ok=True)
    for inside, shipped in FONT_FILES:
        shutil.copyfile(PACKAGE / inside, FONTS_DIR / shipped)
    shutil.copyfile(PACKAGE / "LICENSE_FONT", FONTS_DIR / "OFL.txt")


if __name__ == "__main__":
    main()
