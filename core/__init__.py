"""maillage core engine: tenants, data layer, territory reference, API and CLI."""

__version__ = "0.1.0"
