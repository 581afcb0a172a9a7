"""Charts of the documents and pages as plain SVG: the annual report's, the network's comparison.

Accessible by construction, as the report's maps (core/territory/maps.py): ``role="img"``
with a ``<title>`` and a ``<desc>`` that states the figures in a sentence, every bar or
point with its own ``<title>``, values printed beside the bars (a chart must read without
colour), and the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies) for series. The data table stays the caller's to print beside the chart.

Two kinds cover what poles' reports draw: horizontal bars (children by age bracket, requests
by origin, loans by kit — labels of any length stay readable) and a multi-year line
(the evolution of a key figure). No script, no external file, no font outside the page's.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Okabe & Ito (2008), « Color Universal Design »: the first one is the report's main colour.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
INK = "#1a1a1a"
GRID = "#c8c8c8"
FONT = 'font-family="inherit" font-size="12"'


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    # What is printed instead of the value (« < 5 » in a published copy); the bar is then
    # not drawn to scale, only outlined.
    shown: str | None = None


def _fr(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def sentence(bars: Sequence[Bar], unit: str = "") -> str:
    """The figures in one French sentence, for a chart's description: « 0-3 ans : 12
    enfants ; 3-6 ans : 8 enfants. »"""
    said = [
        f"{b.label} : {b.shown if b.shown is not None else _fr(b.value)} {unit}".strip()
        for b in bars
    ]
    return " ; ".join(said) + "." if said else "Aucune donnée."


def _svg(width: float, height: float, title: str, description: str, element_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{html.escape(element_id)}" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="{element_id}-titre {element_id}-description">'
        f'<title id="{element_id}-titre">{html.escape(title)}</title>'
        f'<desc id="{element_id}-description">{html.escape(description)}</desc>'
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    unit: str = "",
    width: float = 560,
    element_id: str = "graphique",
) -> str:
    """Horizontal bars, one per category, in the order given, each with its value."""
    label_width = min(220.0, max((7.0 * len(b.label) for b in bars), default=60.0) + 12)
    value_room = 70.0
    plot = width - label_width - value_room
    row = 26.0
    height = row * len(bars) + 12
    top = max((b.value for b in bars if b.shown is None), default=0) or 1
    parts = [_svg(width, height, title, description, element_id)]
    for i, bar in enumerate(bars):
        y = 6 + i * row
        said = bar.shown if bar.shown is not None else f"{_fr(bar.value)} {unit}".strip()
        length = 0.0 if bar.shown is not None else plot * bar.value / top
        parts.append(
            f"<g><title>{html.escape(bar.label)} : {html.escape(said)}</title>"
            f'<text x="{label_width - 8:.0f}" y="{y + 16:.0f}" text-anchor="end" {FONT} '
            f'fill="{INK}">{html.escape(bar.label)}</text>'
        )
        if bar.shown is None:
            parts.append(
                f'<rect x="{label_width:.0f}" y="{y + 3:.0f}" width="{length:.1f}" '
                f'height="{row - 8:.0f}" fill="{OKABE_ITO[0]}"/>'
            )
        else:
            parts.append(
                f'<rect x="{label_width:.0f}" y="{y + 3:.0f}" width="18" height="{row - 8:.0f}" '
                f'fill="none" stroke="{INK}" stroke-dasharray="3 2"/>'
            )
            length = 18.0
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16:.0f}" {FONT} '
            f'fill="{INK}">{html.escape(said)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Mapping[str, Mapping[int, float]],
    *,
    title: str,
    description: str,
    unit: str = "",
    width: float = 560,
    height: float = 260,
    element_id: str = "evolution",
) -> str:
    """One line per series over the years (the x axis: every year of any series), each
    point marked and titled, the last value printed at the line's end, a legend below
    when there are several series (each with its own marker shape as well as colour)."""
    years = sorted({year for values in series.values() for year in values})
    if not years:
        return _svg(width, 40, title, description, element_id) + "</svg>"
    left, right, top, bottom = 48.0, 90.0, 14.0, 30.0
    legend = 20.0 * len(series) if len(series) > 1 else 0.0
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values.values()), default=0) or 1

    def x(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + plot_w * (year - years[0]) / (years[-1] - years[0])

    def y(value: float) -> float:
        return top + plot_h * (1 - value / peak)

    parts = [_svg(width, height + legend, title, description, element_id)]
    for k in range(5):
        level = peak * k / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
            f'<text x="{left - 6}" y="{y(level) + 4:.1f}" text-anchor="end" {FONT} '
            f'fill="{INK}">{_fr(round(level, 1))}</text>'
        )
    for year in years:
        parts.append(
            f'<text x="{x(year):.1f}" y="{height - 10:.0f}" text-anchor="middle" {FONT} '
            f'fill="{INK}">{year}</text>'
        )
    markers = ("circle", "square", "diamond", "triangle")
    for i, (name, values) in enumerate(series.items()):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        shape = markers[i % len(markers)]
        points = [(year, values[year]) for year in years if year in values]
        path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        for year, value in points:
            parts.append(
                f"<g><title>{html.escape(name)}, {year} : {_fr(value)} {html.escape(unit)}"
                f"</title>{_marker(shape, x(year), y(value), colour)}</g>"
            )
        last_year, last = points[-1]
        parts.append(
            f'<text x="{x(last_year) + 8:.1f}" y="{y(last) + 4:.1f}" {FONT} fill="{INK}">'
            f"{_fr(last)} {html.escape(unit)}</text>"
        )
        if legend:
            ly = height + 6 + 20 * i
            parts.append(
                f"{_marker(shape, left + 6, ly + 6, colour)}"
                f'<text x="{left + 18}" y="{ly + 10}" {FONT} fill="{INK}">'
                f"{html.escape(name)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _marker(shape: str, cx: float, cy: float, colour: str) -> str:
    r = 4.5
    if shape == "square":
        return (
            f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r}" height="{2 * r}" '
            f'fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{cx:.1f},{cy - r - 1:.1f} {cx + r + 1:.1f},{cy:.1f} '
            f'{cx:.1f},{cy + r + 1:.1f} {cx - r - 1:.1f},{cy:.1f}" fill="{colour}"/>'
        )
    if shape == "triangle":
        return (
            f'<polygon points="{cx:.1f},{cy - r - 1:.1f} {cx + r + 1:.1f},{cy + r:.1f} '
            f'{cx - r - 1:.1f},{cy + r:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" fill="{colour}"/>'
