"""What a reader and an accessibility checker see in a PDF, read with pypdf: the text,
the page sizes, the structure tree, the fonts (and whether each is embedded), the
images and the fill colours. Shared by the document tests."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

A4_POINTS = (595.28, 841.89)


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


@dataclass
class PdfFacts:
    text: str
    pages: int
    sizes: list[tuple[float, float]]
    tagged: bool
    struct_tree: bool
    lang: str | None
    title: str | None
    fonts: dict[str, bool] = field(default_factory=dict)  # base font name → embedded
    images: list[tuple[int, int]] = field(default_factory=list)  # width, height
    colours: set[tuple[float, float, float]] = field(default_factory=set)

    def is_a4(self) -> bool:
        """Every page A4, portrait or landscape (to the point)."""
        return all(
            sorted((round(w), round(h))) == sorted(round(x) for x in A4_POINTS)
            for w, h in self.sizes
        )


def _font_embedded(font: DictionaryObject) -> bool:
    font = _resolve(font)
    if font.get("/Subtype") == "/Type0":
        font = _resolve(font["/DescendantFonts"][0])
    descriptor = _resolve(font.get("/FontDescriptor"))
    if descriptor is None:
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


_COLOUR = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (?:rg|RG)\b")


def read(content: bytes) -> PdfFacts:
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    mark = _resolve(root.get("/MarkInfo")) or {}
    facts = PdfFacts(
        text=" ".join(" ".join(p.extract_text() or "" for p in reader.pages).split()),
        pages=len(reader.pages),
        sizes=[(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages],
        tagged=bool(mark.get("/Marked")),
        struct_tree="/StructTreeRoot" in root,
        lang=str(root.get("/Lang")) if root.get("/Lang") else None,
        title=reader.metadata.title if reader.metadata else None,
    )
    for page in reader.pages:
        resources = _resolve(page.get("/Resources")) or {}
        for font in (_resolve(resources.get("/Font")) or {}).values():
            font = _resolve(font)
            facts.fonts[str(font.get("/BaseFont"))] = _font_embedded(font)
        for xobject in (_resolve(resources.get("/XObject")) or {}).values():
            xobject = _resolve(xobject)
            if xobject.get("/Subtype") == "/Image":
                facts.images.append((int(xobject["/Width"]), int(xobject["/Height"])))
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        for r, g, b in _COLOUR.findall(data):
            facts.colours.add((round(float(r), 2), round(float(g), 2), round(float(b), 2)))
    return facts


def pdf_text(content: bytes) -> str:
    """The words a reader sees in the PDF (pypdf's extraction), whitespace folded."""
    return read(content).text


def html_text(content: str) -> str:
    """The words of an HTML page, tags and <style>/<title> dropped, whitespace folded."""
    from html import unescape

    body = re.sub(r"(?s)<(style|title)\b.*?</\1>", " ", content)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def words(text: str) -> set[str]:
    """The words of a text, hyphenated ones in parts: a line may break after a hyphen."""
    return {w for w in re.split(r"[\s\-]+", text) if w}
