"""The default roles. Their French labels are what a pole admin reads."""

from __future__ import annotations

from types import MappingProxyType

ROLES = MappingProxyType(
    {
        "platform_admin": "Administrateur de la plateforme (aucune donnée nominative)",
        "pole_admin": "Administrateur du pôle",
        "coordinator": "Coordinateur / coordinatrice",
        "staff": "Chargé·e de mission, éducateur·rice",
        "psychologist": "Psychologue",
        "referent": "Référent Pôle Ressources",
        "partner_structure": "Structure partenaire (EAJE, ACM, assistant maternel…)",
        "family": "Famille",
        # A sitter relayed by the pole (handisitting): sees only what a plugin opens to
        # this role (their own profile, bookings and, under an agreed booking, a needs sheet).
        "sitter": "Intervenant·e de garde à domicile (ses propres gardes seulement)",
        "network_analyst": "Analyste du réseau national (agrégats anonymisés seulement)",
        "network_coordinator": "Coordination du réseau national (approuve les publications)",
    }
)

# Roles that work inside a pole with the pole's own records.
POLE_ROLES = frozenset({"pole_admin", "coordinator", "staff", "psychologist"})

# Roles of the national network, held on the account outside any pole: they read the
# network's releases and nothing else (decision 151).
NETWORK_ROLES = frozenset({"network_analyst", "network_coordinator"})
