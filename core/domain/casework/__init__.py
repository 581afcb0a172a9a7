"""Casework: requests for help, child follow-ups and their interventions."""
