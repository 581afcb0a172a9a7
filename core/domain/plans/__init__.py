"""Personalised reception plans ("projets d'accueil personnalisés")."""
