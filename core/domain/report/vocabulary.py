"""The annual report's written sections, in the words the poles' reports use."""

from __future__ import annotations

from types import MappingProxyType

# The sections a pole writes each year. The first three come once a year, in this order,
# after the figures; « libre » sections (a partnership, an event of the year…) as many as
# the team wants, each with its own title.
NARRATIVE_KINDS = MappingProxyType(
    {
        "news": "Nouveautés de l'année",
        "stories": "Exemples d'accompagnement",
        "outlook": "Perspectives",
        "free": "Section libre",
    }
)
ONCE_A_YEAR = frozenset({"news", "stories", "outlook"})

FUNDING_KINDS = MappingProxyType(
    {
        "grant": "Subvention",
        "contract": "Convention ou prestation",
        "own": "Ressources propres (adhésions, ventes)",
        "in_kind": "Mise à disposition (valorisée)",
        "other": "Autre",
    }
)
