"""Test support shipped with core: PostgreSQL provisioning, fixtures for plugin authors."""
