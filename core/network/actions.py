"""The network's actions: its people read releases and nothing else; the coordinator
approves and sets the catalogue; a pole's administrator prepares and submits."""

from __future__ import annotations

from core.access.actions import Action

READ = "network.read"
APPROVE = "network.approve"
MANAGE = "network.manage"
PREPARE = "network.prepare"

ACTIONS = [
    Action(
        READ,
        "Lire les publications du réseau national (chiffres protégés, jamais une personne)",
        default_roles=frozenset({"network_analyst", "network_coordinator"}),
        scope="network:read",
        pole=False,
    ),
    Action(
        APPROVE,
        "Approuver une publication soumise par un pôle (elle est publiée et verrouillée)",
        default_roles=frozenset({"network_coordinator"}),
        pole=False,
    ),
    Action(
        MANAGE,
        "Régler le catalogue du réseau (chiffres et ventilations recueillis)",
        default_roles=frozenset({"network_coordinator"}),
        pole=False,
    ),
    Action(
        PREPARE,
        "Préparer, prévisualiser et soumettre la publication du pôle au réseau national",
        default_roles=frozenset({"pole_admin"}),
    ),
]
