"""Build the commune shapes the project ships (core/territory/data/geo/) from the open
boundaries in ../shared/data/territory/geo (IGN Admin Express COG 2018, see its SOURCE.md).

Run rarely, by a maintainer, when the sources change::

    make territory-geo          # installs shapely (the `geo-build` extra), then runs this

What it does, and why:

* **Today's codes.** The 2018 files still carry communes merged since into a « commune
  nouvelle ». Each 2018 code is mapped onto today's commune with the table of
  @etalab/decoupage-administratif 6.0.0 (the same release as communes.csv): a current code
  stays, a delegated or associated commune goes to its ``chefLieu``, an old code to the
  commune listing it in ``anciensCodes``. Shapes of one current commune are unioned.
* **Simplified.** Douglas–Peucker with topology kept, at ``TOLERANCE`` degrees (about 150 m):
  a département drawn 600 px wide keeps every commune's outline recognisable, and the 46 MB of
  sources become about 4 MB gzipped. Coordinates are then rounded to 1e-4° (11 m), stored
  as integers, each ring as offsets from the point before.
* **EPCI outlines** are the union of their member communes inside the département (an EPCI
  across two départements is drawn in each, clipped), so a map by EPCI needs no geometry
  library at run time.
* **Centroids** (a point inside the commune: shapely's ``point_on_surface``, never outside an
  oddly shaped commune) for distances between communes.

The run-time side (core/territory/geo.py) reads the output with the standard library only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SCALE = 10_000  # coordinates stored as integer 1e-4 degrees
TOLERANCE = 0.0015
HERE = Path(__file__).parent
OUT = HERE / "data" / "geo"


def current_code_map(communes_json: Path) -> dict[str, str]:
    """2018 (or older) INSEE code → today's commune code."""
    rows = json.loads(communes_json.read_text())
    mapping: dict[str, str] = {}
    for row in rows:
        if row["type"] == "commune-actuelle":
            mapping[row["code"]] = row["code"]
            for old in row.get("anciensCodes", []):
                mapping.setdefault(old, row["code"])
    for row in rows:
        if row["type"] in {"commune-deleguee", "commune-associee"}:
            mapping.setdefault(row["code"], row["chefLieu"])
    return mapping


def _delta(points: list[tuple[int, int]]) -> list[int]:
    """A ring as one flat list: the first point, then each point's offset from the one
    before (small numbers: the file is half the size)."""
    flat = [*points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        flat += [x1 - x0, y1 - y0]
    return flat


def _rings(geometry: Any) -> list[list[list[int]]]:
    """A (Multi)Polygon as polygons → rings, each ring delta-encoded integer points (the
    closing point dropped)."""
    polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
    out = []
    for polygon in polygons:
        rings = [polygon.exterior, *polygon.interiors]
        packed = []
        for ring in rings:
            points = [(round(x * SCALE), round(y * SCALE)) for x, y in ring.coords[:-1]]
            if len(points) >= 3:
                packed.append(_delta(points))
        if packed:
            out.append(packed)
    return out


def build(sources: Path, communes_json: Path, communes_csv: Path) -> dict[str, int]:
    from shapely import make_valid, unary_union
    from shapely.geometry import shape

    mapping = current_code_map(communes_json)
    epci_of: dict[str, str] = {}
    names: dict[str, str] = {}
    with communes_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            epci_of[row["insee_code"]] = row["epci"]
            names[row["insee_code"]] = row["name"]
    OUT.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    for source in sorted(sources.glob("communes-*.geojson.gz")):
        departement = source.name.split("-")[1]
        features = json.loads(gzip.decompress(source.read_bytes()))["features"]
        parts: dict[str, list[Any]] = defaultdict(list)
        for feature in features:
            code = mapping.get(feature["properties"]["code"])
            if code is None:
                raise SystemExit(f"{source.name}: code {feature['properties']['code']} unknown")
            parts[code].append(make_valid(shape(feature["geometry"])))
        communes: dict[str, Any] = {}
        for code, shapes in parts.items():
            merged = unary_union(shapes)
            communes[code] = merged
        epci_parts: dict[str, list[Any]] = defaultdict(list)
        for code, geometry in communes.items():
            if epci_of.get(code):
                epci_parts[epci_of[code]].append(geometry)
        record = {
            "departement": departement,
            "scale": SCALE,
            "communes": {
                code: {
                    "centroid": [
                        round(geometry.point_on_surface().x * SCALE),
                        round(geometry.point_on_surface().y * SCALE),
                    ],
                    "polygons": _rings(geometry.simplify(TOLERANCE, preserve_topology=True)),
                }
                for code, geometry in sorted(communes.items())
            },
            "epci": {
                siren: {
                    "polygons": _rings(
                        unary_union(shapes).simplify(TOLERANCE, preserve_topology=True)
                    )
                }
                for siren, shapes in sorted(epci_parts.items())
            },
        }
        data = gzip.compress(
            json.dumps(record, separators=(",", ":")).encode(), compresslevel=9, mtime=0
        )
        target = OUT / f"{departement}.json.gz"
        target.write_bytes(data)
        sizes[departement] = len(data)
        print(f"{departement}: {len(communes)} communes, {len(data) // 1024} KiB", flush=True)
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=Path("../shared/data/territory/geo"))
    parser.add_argument(
        "--communes-json",
        type=Path,
        required=True,
        help="data/communes.json of @etalab/decoupage-administratif 6.0.0",
    )
    parser.add_argument(
        "--communes-csv", type=Path, default=Path("../shared/data/territory/communes.csv")
    )
    args = parser.parse_args(argv)
    sizes = build(args.sources, args.communes_json, args.communes_csv)
    print(f"{len(sizes)} départements, {sum(sizes.values()) // 1024} KiB in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
