"""Mistake: a migration that forgets the model's index."""

from core.testing.contract import plugin_contract
from tests.plugin_system.samples import sample

plugin = sample("sample_drifting_migration", migrated_index=False)
TestContract = plugin_contract(plugin)
