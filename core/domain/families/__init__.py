"""Families, their guardians and consents, and the children the pole accompanies."""
