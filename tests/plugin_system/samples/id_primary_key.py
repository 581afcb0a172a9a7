"""Mistake: a migration that creates PRIMARY KEY (id) under a TenantScoped model."""

from core.testing.contract import plugin_contract
from tests.plugin_system.samples import sample

plugin = sample("sample_id_primary_key", primary_key=("id",))
TestContract = plugin_contract(plugin)
