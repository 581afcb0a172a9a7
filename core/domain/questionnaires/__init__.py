"""Questionnaires: versioned forms, sendings answered through a single-use link, results."""
