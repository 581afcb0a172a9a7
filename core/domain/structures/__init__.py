"""Organisations (gestionnaires), reception structures, partners and their contacts."""
