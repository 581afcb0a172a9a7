"""Closed lists of adhesions, conventions and billing, with the French labels that the
poles' staff read and that invoices print."""

from __future__ import annotations

from types import MappingProxyType

# Who adheres: a family (individual), an association, or a public gestionnaire (commune,
# EPCI, CCAS) covered by a signed convention (collective).
ADHESION_CATEGORIES = MappingProxyType(
    {
        "family": "Adhésion individuelle (famille)",
        "association": "Adhésion collective (association)",
        "public": "Adhésion collective (structure publique conventionnée)",
    }
)
# The price-list code holding each category's yearly fee.
ADHESION_FEE_CODES = MappingProxyType(
    {
        "family": "adhesion_family",
        "association": "adhesion_association",
        "public": "adhesion_public",
    }
)
# Directory kinds (core.domain.structures.vocabulary.ORGANISATION_KINDS) that may adhere.
PUBLIC_KINDS = frozenset({"commune", "epci", "ccas"})

CONVENTION_STATUSES = MappingProxyType(
    {
        "draft": "En préparation",
        "signed": "Signée",
        "ended": "Terminée",
        "cancelled": "Annulée",
    }
)
CONVENTION_PRICINGS = MappingProxyType(
    {
        "per_inhabitant": "Tarif par habitant",
        "flat": "Forfait annuel",
    }
)
# What a convention opens to the structures of its territory.
CONVENTION_SERVICES = MappingProxyType(
    {
        "public_adhesions": "Adhésion des structures publiques du territoire",
        "onsite_sessions": "Sensibilisations sur site pour les équipes",
        "territorial_sessions": "Sensibilisations territoriales",
        "kit_loans": "Prêt de malles pédagogiques sans frais",
        "kit_delivery": "Livraison des malles",
        "observations": "Observations et préconisations sur site",
        "team_support": "Accompagnement des équipes et analyse de pratiques",
    }
)

# Well-known price-list codes; a pole may add its own (lower-case code, its own label).
PRICE_CODES = MappingProxyType(
    {
        "adhesion_family": "Adhésion individuelle (famille)",
        "adhesion_association": "Adhésion collective (association)",
        "adhesion_public": "Adhésion collective (structure publique)",
        "kit_loan": "Prêt d'une malle pédagogique (non-adhérent)",
        "onsite_session_hour": "Sensibilisation sur site (par heure et par intervenant)",
        "territorial_session": "Sensibilisation territoriale (par participant)",
    }
)
PRICE_UNITS = MappingProxyType(
    {
        "year": "par an",
        "loan": "par prêt",
        "hour_speaker": "par heure et par intervenant",
        "participant": "par participant",
        "unit": "l'unité",
    }
)

INVOICE_STATUSES = MappingProxyType(
    {
        "draft": "Brouillon",
        "issued": "Émise",
        "partly_paid": "Partiellement payée",
        "paid": "Payée",
        "cancelled": "Annulée",
    }
)
INVOICE_LINE_KINDS = MappingProxyType(
    {
        "price_item": "Prestation de la grille tarifaire",
        "adhesion": "Adhésion",
        "convention": "Convention de partenariat",
        "free": "Autre ligne",
    }
)
PAYMENT_METHODS = MappingProxyType(
    {
        "transfer": "Virement",
        "cheque": "Chèque",
        "cash": "Espèces",
        "card": "Carte bancaire",
    }
)
