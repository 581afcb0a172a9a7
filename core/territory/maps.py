"""Maps of a département in SVG: a count per commune or per EPCI, as the annual report
and the network's releases print them.

Accessible by construction (RGAA / WCAG): ``role="img"`` with a ``<title>`` and a
``<desc>``, each area with a value its own ``<title>`` (« Riom : 12 »), a legend in words,
and colours from a sequential palette that reads in greyscale and for the common colour-vision
deficiencies (ColorBrewer « YlGnBu », light to dark); areas with nothing are light grey,
outside the scale, and small counts hidden in a published copy are hatched. The data table
the map stands for is the caller's to print beside it (a map alone is not an alternative to
a table).

No script, no external file: the SVG is inlined in HTML, embedded in PDF, or saved alone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass

from core.territory.geo import ATTRIBUTION, Shape, departement

# ColorBrewer YlGnBu, 5 classes (colour-blind safe, print friendly, photocopy safe).
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
EMPTY = "#f0f0f0"
STROKE = "#606060"
WIDTH = 600.0


@dataclass(frozen=True, slots=True)
class Band:
    low: int
    high: int
    colour: str

    def label(self, unit: str) -> str:
        if self.low == self.high:
            return counted(self.low, unit)
        return f"de {_fr(self.low)} à {_fr(self.high)} {unit}".strip()


def _fr(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


# Words whose singular already ends in s or x (« 1 mois », « 1 prix »), and the words
# after which a unit's complement starts (« heures de garde »: only « heures » agrees).
_INVARIABLE = frozenset({"fois", "mois", "cours", "parcours", "repas", "temps", "prix", "poids"})
_COMPLEMENT = frozenset({"de", "d'", "du", "des", "à", "au", "aux", "en", "par", "pour", "sur"})


def _singular(word: str) -> str:
    lower = word.lower()
    if lower in _INVARIABLE or len(lower) < 3:
        return word
    if lower.endswith(("eaux", "eux", "oux")):
        return word[:-1]
    if lower.endswith("aux"):
        return word[:-3] + "al"
    if lower.endswith("s") and not lower.endswith("ss"):
        return word[:-1]
    return word


def counted(value: int | float, unit: str) -> str:
    """« 1 enfant », « 2 enfants »: the unit (a plural, as indicators name it) agrees with
    the number. French takes the singular below 2 (« 0 enfant », « 1,5 heure »); the
    words before a complement agree, the complement does not (« 1 heure de garde »)."""
    number = _fr(value) if isinstance(value, int) else f"{value:g}".replace(".", ",")
    if not unit:
        return number
    if abs(value) >= 2:
        return f"{number} {unit}"
    words = unit.split(" ")
    for i, word in enumerate(words):
        if word.lower() in _COMPLEMENT or word.lower().startswith("d'"):
            break
        words[i] = _singular(word)
    return f"{number} {' '.join(words)}"


def bands(values: Mapping[str, int]) -> list[Band]:
    """Up to five classes over the positive values, cut at their quantiles so that each
    colour covers about as many areas; equal values never straddle two classes."""
    positive = sorted(v for v in values.values() if v > 0)
    if not positive:
        return []
    distinct = sorted(set(positive))
    if len(distinct) <= len(PALETTE):
        return [Band(v, v, PALETTE[i]) for i, v in enumerate(distinct)]
    cuts: list[int] = []
    for k in range(1, len(PALETTE)):
        cut = positive[math.ceil(k * len(positive) / len(PALETTE)) - 1]
        if not cuts or cut > cuts[-1]:
            cuts.append(cut)
    if cuts[-1] < positive[-1]:
        cuts.append(positive[-1])
    out: list[Band] = []
    low = positive[0]
    for i, high in enumerate(cuts):
        out.append(Band(low, high, PALETTE[i]))
        low = next((v for v in distinct if v > high), high)
    return out


def _colour(value: int, scale: list[Band]) -> str:
    for band in scale:
        if band.low <= value <= band.high:
            return band.colour
    return EMPTY


def choropleth(
    departement_code: str,
    values: Mapping[str, int],
    *,
    title: str,
    description: str,
    names: Mapping[str, str],
    level: str = "commune",
    unit: str = "",
    threshold: int | None = None,
    element_id: str = "carte",
) -> str:
    """The département's communes (``level="commune"``) or EPCI (``"epci"``), each
    coloured by its value. ``names`` gives each code's name for the areas' titles.

    ``threshold``: in a published copy, a count from 1 to threshold − 1 is neither
    coloured by its value nor named: those areas share one class « moins de k »."""
    geo = departement(departement_code)
    shapes: Mapping[str, Shape] = geo.communes if level == "commune" else geo.epci
    shown = dict(values)
    small: set[str] = set()
    if threshold is not None:
        small = {code for code, v in shown.items() if 0 < v < threshold}
        for code in small:
            shown[code] = 0
    scale = bands(shown)
    # The hatching's id is the map's own: a report prints several maps in one document.
    hatch = f"{element_id}-hachures"
    west, south, east, north = geo.bounds()
    # Equirectangular at the département's middle latitude: at this size, as good as a
    # conformal projection, and no projection library.
    kx = math.cos(math.radians((south + north) / 2))
    factor = WIDTH / ((east - west) * kx)
    height = (north - south) * factor

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - west) * kx * factor:.1f} {(north - lat) * factor:.1f}"

    def outline(shape: Shape) -> str:
        return " ".join(
            "M" + " L".join(xy(lon, lat) for lon, lat in ring) + " Z"
            for polygon in shape.polygons
            for ring in polygon
        )

    # An area with a value is a path of its own, titled (« Riom : 12 enfants »); the
    # areas with nothing are one path, titled once: a département has up to 890
    # communes, mostly empty, and each element costs the PDF's layout its styles and
    # drawing (the annual report's PDF: decision 170). On a map of communes, the
    # ground they are drawn on is the département's EPCI, not each empty commune: the
    # same area and a frame the reader knows, in a fifth of the points, and every point
    # is parsed and written again by the PDF (decision 203).
    paths: list[str] = []
    empty: list[str] = []
    if level == "commune":
        empty = [outline(shape) for _code, shape in sorted(geo.epci.items())]
    for code in sorted(shapes):
        value = values.get(code, 0)
        if code not in small and value <= 0:
            if level != "commune":
                empty.append(outline(shapes[code]))
            continue
        name = names.get(code, code)
        if code in small:
            fill, said = f"url(#{hatch})", f"moins de {counted(threshold or 0, unit)}"
        else:
            fill, said = _colour(value, scale), counted(value, unit)
        paths.append(
            f'<path d="{outline(shapes[code])}" fill="{fill}" stroke="{STROKE}" '
            f'stroke-width="0.4" fill-rule="evenodd"><title>{html.escape(name)} : '
            f"{html.escape(said)}</title></path>"
        )
    if empty:
        nothing = f"{'Communes' if level == 'commune' else 'EPCI'} sans {unit or 'valeur'}"
        paths.insert(
            0,
            f'<path d="{" ".join(empty)}" fill="{EMPTY}" stroke="{STROKE}" '
            f'stroke-width="0.4" fill-rule="evenodd"><title>{html.escape(nothing)} : aucun'
            "</title></path>",
        )
    legend: list[str] = []
    y = height + 18
    entries = [(band.colour, band.label(unit)) for band in scale]
    if small:
        entries.append((f"url(#{hatch})", f"moins de {counted(threshold or 0, unit)}"))
    # On a map of communes, the lines of the grey ground are the EPCI's (above).
    entries.append((EMPTY, "aucun" if level != "commune" else "aucun (traits : limites des EPCI)"))
    for fill, label in entries:
        legend.append(
            f'<rect x="8" y="{y:.0f}" width="18" height="14" fill="{fill}" stroke="{STROKE}"/>'
            f'<text x="32" y="{y + 12:.0f}" font-size="12">{html.escape(label)}</text>'
        )
        y += 22
    legend.append(
        f'<text x="8" y="{y + 14:.0f}" font-size="10" fill="#404040">'
        f"Fond de carte : {html.escape(ATTRIBUTION)}</text>"
    )
    total_height = y + 24
    title_id, desc_id = f"{element_id}-titre", f"{element_id}-description"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{html.escape(element_id)}" role="img" '
        f'viewBox="0 0 {WIDTH:.0f} {total_height:.0f}" width="{WIDTH:.0f}" '
        f'height="{total_height:.0f}" aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{html.escape(title)}</title>'
        f'<desc id="{desc_id}">{html.escape(description)}</desc>'
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{EMPTY}"/>'
        f'<path d="M0 6 L6 0" stroke="{STROKE}" stroke-width="1"/></pattern></defs>'
        f"<g>{''.join(paths)}</g><g>{''.join(legend)}</g></svg>"
    )
