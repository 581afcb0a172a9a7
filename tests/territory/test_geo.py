"""The shipped commune shapes: every commune of today has one, under today's code; the
distances are right; the maps are accessible SVG that a browser and WeasyPrint read."""

from __future__ import annotations

import csv
import gzip
import io
import xml.etree.ElementTree as ET

import pytest

from core.territory import geo
from core.territory.maps import PALETTE, bands, choropleth, counted

DATA = geo.GEO_DIR.parent
SVG = "{http://www.w3.org/2000/svg}"
# Overseas collectivities outside IGN Admin Express (Saint-Pierre-et-Miquelon,
# Saint-Barthélemy, Saint-Martin, the Pacific): no boundary in the source.
NO_SOURCE = {"975", "977", "978", "984", "986", "987", "988", "989"}
# Communes restored after 2018 (a commune nouvelle split again): in the 2018 boundaries their
# ground is inside another commune's shape, and no open file at hand draws them apart.
RESTORED_SINCE_2018 = {"14666", "15031", "15035", "15047", "15171", "85165", "85212"}


def _communes() -> list[dict[str, str]]:
    raw = gzip.decompress((DATA / "communes.csv.gz").read_bytes()).decode()
    return list(csv.DictReader(io.StringIO(raw)))


def test_every_commune_of_today_has_a_shape_but_seven_restored_since_2018():
    missing = []
    for row in _communes():
        if row["departement"] in NO_SOURCE:
            continue
        shapes = geo.departement(row["departement"])
        if row["insee_code"] not in shapes.communes:
            missing.append((row["insee_code"], row["name"]))
    assert {code for code, _ in missing} == RESTORED_SINCE_2018, missing


def test_communes_merged_since_2018_are_drawn_under_todays_code():
    # Chambaron-sur-Morge (63244, since 2016) took in Cellule (63068); Mur-sur-Allier
    # (63226) took in Dallet (63133): one shape each, under today's code, none left under
    # the absorbed codes, and the shape is larger than the part it kept the code of.
    puy = geo.departement("63")
    assert {"63113", "63244", "63226"} <= set(puy.communes)
    assert not {"63068", "63133"} & set(puy.communes)
    assert geo.distance_km("63226", "63113") < 15


def test_epci_outlines_cover_the_departement():
    puy = geo.departement("63")
    # Clermont Auvergne Métropole.
    assert "246300701" in puy.epci


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ("63113", "63300", 14.0),  # Clermont-Ferrand – Riom
        ("62041", "62119", 30.0),  # Arras – Béthune
        ("75056", "13055", 660.0),  # Paris – Marseille
    ],
)
def test_distances_between_communes(a: str, b: str, km: float):
    assert geo.distance_km(a, b) == pytest.approx(km, rel=0.2)
    assert geo.distance_km(a, a) == 0
    assert geo.distance_km(a, b) == geo.distance_km(b, a)


def test_an_unknown_place_is_named():
    with pytest.raises(geo.UnknownPlace, match="99"):
        geo.departement("99")
    with pytest.raises(geo.UnknownPlace, match="63999"):
        geo.point("63999")


def test_bands_cover_every_value_once_and_never_split_equal_values():
    values = {str(i): v for i, v in enumerate([1, 1, 1, 2, 2, 3, 5, 8, 13, 21, 34, 55])}
    scale = bands(values)
    assert len(scale) <= len(PALETTE)
    for v in set(values.values()):
        assert sum(band.low <= v <= band.high for band in scale) == 1
    assert bands({"a": 0}) == []
    assert [b.low for b in bands({"a": 2, "b": 4})] == [2, 4]


def test_a_map_is_accessible_svg_with_every_commune_with_a_value_titled():
    svg = choropleth(
        "63",
        {"63113": 12, "63300": 3, "63430": 1},
        title="Enfants suivis par commune en 2025",
        description="12 enfants à Clermont-Ferrand, 3 à Riom, 1 à Volvic.",
        names={"63113": "Clermont-Ferrand", "63300": "Riom", "63430": "Volvic"},
        unit="enfants",
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby", "").split()
    ids = {el.get("id"): el.text for el in root.iter() if el.get("id")}
    assert ids[labelled[0]] == "Enfants suivis par commune en 2025"
    assert ids[labelled[1]].startswith("12 enfants")
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Clermont-Ferrand : 12 enfants" in titles
    assert "Volvic : 1 enfant" in titles
    # The three communes with children, titled each, drawn on one grey ground: the
    # département's EPCI (decision 203), which the legend names.
    paths = [p for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]
    assert len(paths) == 4
    assert "Communes sans enfants : aucun" in titles
    ground = paths[0].get("d", "")
    assert ground.count("M") >= len(geo.departement("63").epci)
    assert "aucun (traits : limites des EPCI)" in [t.text for t in root.iter(f"{SVG}text")]
    assert "IGN – Admin Express COG 2018" in svg


def test_a_published_map_hides_small_counts_in_one_hatched_class():
    svg = choropleth(
        "63",
        {"63113": 12, "63300": 3},
        title="t",
        description="d",
        names={"63113": "Clermont-Ferrand", "63300": "Riom"},
        unit="enfants",
        threshold=5,
    )
    assert "Riom : moins de 5 enfants" in svg
    assert "Riom : 3" not in svg
    assert "Clermont-Ferrand : 12 enfants" in svg


def test_two_maps_in_one_document_share_no_id():
    # A report prints several maps in one page (and one PDF): the hatching of each is its own.
    def ids(element_id: str) -> set[str]:
        svg = choropleth(
            "63",
            {"63300": 3},
            title="t",
            description="d",
            names={"63300": "Riom"},
            unit="enfants",
            threshold=5,
            element_id=element_id,
        )
        assert f"url(#{element_id}-hachures)" in svg
        return {el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")}

    assert ids("carte-1") & ids("carte-2") == set()


def test_maps_by_epci():
    svg = choropleth(
        "62",
        {"200033579": 40},
        title="Enfants suivis par EPCI",
        description="40 dans la Communauté urbaine d'Arras.",
        names={"200033579": "CU d'Arras"},
        level="epci",
        unit="enfants",
    )
    root = ET.fromstring(svg)
    titled = [t.text for t in root.iter(f"{SVG}title")]
    assert "CU d'Arras : 40 enfants" in titled


def test_one_child_is_singular_on_the_map_its_legend_and_its_hidden_class():
    # French takes the singular for 0 and 1 (« 1 enfant », « 0,5 heure »), the plural from 2.
    svg = choropleth(
        "63",
        {"63113": 1, "63300": 2, "63430": 3},
        title="t",
        description="d",
        names={"63113": "Clermont-Ferrand", "63300": "Riom", "63430": "Volvic"},
        unit="enfants",
    )
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Clermont-Ferrand : 1 enfant" in titles
    assert "Riom : 2 enfants" in titles
    assert "1 enfant" in texts and "2 enfants" in texts
    assert not any("1 enfants" in (t or "") for t in texts + titles)
    hidden = choropleth(
        "63",
        {"63113": 1},
        title="t",
        description="d",
        names={"63113": "Clermont-Ferrand"},
        unit="enfants",
        threshold=2,
    )
    assert "Clermont-Ferrand : moins de 2 enfants" in hidden


@pytest.mark.parametrize(
    ("n", "unit", "said"),
    [
        (0, "enfants", "0 enfant"),
        (1, "enfants", "1 enfant"),
        (2, "enfants", "2 enfants"),
        (1, "heures de garde", "1 heure de garde"),
        (1, "jeux", "1 jeu"),
        (1, "réseaux", "1 réseau"),
        (1, "journaux", "1 journal"),
        (1, "familles aidées", "1 famille aidée"),
        (1500, "kilomètres", "1\u202f500 kilomètres"),
        (1, "%", "1 %"),
        (1, "", "1"),
    ],
)
def test_counted_agrees_the_unit_with_the_number(n: int, unit: str, said: str):
    assert counted(n, unit) == said
