"""Commune and EPCI shapes, points and distances, read from the files the project ships.

The files (core/territory/data/geo/<département>.json.gz) are built once by
core/territory/geo_build.py from IGN Admin Express COG 2018 (Licence Ouverte: cite
« IGN – Admin Express COG 2018 » under a map), mapped onto today's commune codes and
simplified. This module needs nothing beyond the standard library: a map or a distance
never requires a geometry package on the server.

Shapes are reference data, the same for every pole, like the communes themselves; they
say nothing about a person.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GEO_DIR = Path(__file__).parent / "data" / "geo"
ATTRIBUTION = "IGN – Admin Express COG 2018"
EARTH_RADIUS_KM = 6371.0088

Ring = tuple[tuple[float, float], ...]
Polygon = tuple[Ring, ...]  # outer ring, then holes


@dataclass(frozen=True, slots=True)
class Shape:
    """A commune's or an EPCI's outline in longitude/latitude (WGS 84)."""

    code: str
    polygons: tuple[Polygon, ...]

    def bounds(self) -> tuple[float, float, float, float]:
        xs = [x for polygon in self.polygons for ring in polygon for x, _ in ring]
        ys = [y for polygon in self.polygons for ring in polygon for _, y in ring]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    communes: dict[str, Shape]
    epci: dict[str, Shape]
    points: dict[str, tuple[float, float]]  # a point inside each commune (lon, lat)

    def bounds(self) -> tuple[float, float, float, float]:
        boxes = [shape.bounds() for shape in self.communes.values()]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


class UnknownPlace(LookupError):
    """A département or commune code with no shape (a typo, or outside the files)."""


def _undelta(flat: list[int], scale: int) -> Ring:
    x, y = flat[0], flat[1]
    points = [(x / scale, y / scale)]
    for i in range(2, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        points.append((x / scale, y / scale))
    return tuple(points)


def _polygons(raw: list[list[list[int]]], scale: int) -> tuple[Polygon, ...]:
    return tuple(tuple(_undelta(ring, scale) for ring in polygon) for polygon in raw)


def departement_code_of(insee: str) -> str:
    """The département of a commune code: two characters, three overseas (97x), and
    Corsica's 2A/2B."""
    return insee[:3] if insee.startswith("97") else insee[:2]


@lru_cache(maxsize=8)
def departement(code: str) -> Departement:
    """One département's shapes, read once per process (a few hundred KiB)."""
    path = GEO_DIR / f"{code}.json.gz"
    if not path.is_file():
        raise UnknownPlace(f"aucun contour pour le département « {code} »")
    record = json.loads(gzip.decompress(path.read_bytes()))
    scale = int(record["scale"])
    communes = {
        insee: Shape(insee, _polygons(item["polygons"], scale))
        for insee, item in record["communes"].items()
    }
    points = {
        insee: (item["centroid"][0] / scale, item["centroid"][1] / scale)
        for insee, item in record["communes"].items()
    }
    epci = {
        siren: Shape(siren, _polygons(item["polygons"], scale))
        for siren, item in record["epci"].items()
    }
    return Departement(code, communes, epci, points)


def point(insee: str) -> tuple[float, float]:
    """A point inside the commune (longitude, latitude)."""
    found = departement(departement_code_of(insee)).points.get(insee)
    if found is None:
        raise UnknownPlace(f"aucun contour pour la commune « {insee} »")
    return found


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two communes' points, in kilometres (as the crow
    flies: a road is longer; a plugin that ranks by travel says so)."""
    (lon1, lat1), (lon2, lat2) = point(a), point(b)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
