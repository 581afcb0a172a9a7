"""Pedagogical kits ("malles", "mallettes pédagogiques"): catalogue and loans."""
