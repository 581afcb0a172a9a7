"""Database foundations: declarative base, engines, the one module allowed raw SQL."""
