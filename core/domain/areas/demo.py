"""The demo poles' service areas: each pole's own way of cutting its département into
territories, from real EPCI (SIREN codes of the reference data)."""

from __future__ import annotations

# slug -> area name -> EPCI SIREN codes
DEMO_AREAS: dict[str, dict[str, tuple[str, ...]]] = {
    "pas-de-calais": {
        "Artois": ("200072460", "245900758"),
        "Lens-Hénin": ("246200364", "246200299"),
        "Arrageois": ("200033579", "200069482", "200035442", "200044048"),
        "Ternois": ("200069672",),
        "Calaisis": ("200090751", "200072478", "246200844"),
        "Boulonnais": ("246200729", "200018083", "246200380"),
        "Audomarois": ("200069037", "246201016"),
        "Montreuillois": ("200069029", "200044030", "200069235"),
    },
    "puy-de-dome": {
        "Riom, Limagne et Combrailles": (
            "200070753",
            "200072098",
            "200071199",
            "200072080",
            "200071215",
        ),
        "Clermont Auvergne Métropole": ("246300701",),
        "Issoire, Val d'Allier et Sancy": ("200070407", "246300966", "200069169", "200069177"),
        "Livradois-Forez et Thiers": ("200070712", "200070761", "246301097", "200067627"),
    },
}
