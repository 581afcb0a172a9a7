"""Who may do what in handisitting: the actions the plugin declares.

Staff read and manage; the pole's ``sitter`` role holds only ``handisitting.sitter``,
which opens the sitter's own profile, proposals, bookings and — under an agreed
booking — the child's needs sheet (service.needs_sheet checks the rest).
"""

from __future__ import annotations

from core import sdk

READ = "handisitting.read"
MANAGE = "handisitting.manage"
SITTER = "handisitting.sitter"
# What both sides of a sitting do: answer a proposal, give feedback, report an incident.
# Staff do it for the pole (or on a person's word); a sitter only on their own rows.
RESPOND = "handisitting.respond"
MANAGERS = frozenset({"pole_admin", "coordinator", "staff"})


def actions() -> list[sdk.Action]:
    return [
        sdk.Action(
            READ,
            "Voir les intervenant·es de garde, les demandes des familles et les gardes",
            default_roles=sdk.POLE_ROLES,
            scope="tenant:read",
        ),
        sdk.Action(
            MANAGE,
            "Agréer les intervenant·es, enregistrer les demandes, proposer et convenir les gardes",
            default_roles=MANAGERS,
            scope="tenant:write",
        ),
        sdk.Action(
            SITTER,
            "Intervenant·e : voir son profil, ses propositions, ses gardes et, pendant une "
            "garde convenue, la fiche de besoins de l'enfant",
            default_roles=frozenset({"sitter"}),
        ),
        sdk.Action(
            RESPOND,
            "Répondre à une proposition de garde, donner un avis sur une garde, signaler un "
            "incident (un·e intervenant·e : seulement pour ses propres gardes)",
            default_roles=MANAGERS | {"sitter"},
            scope="tenant:write",
        ),
    ]
