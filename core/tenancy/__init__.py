"""Tenancy: the TenantScoped rules, the application wall, tenants and their TOML files."""
