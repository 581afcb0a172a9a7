"""Mistake: a reference (shared) table holding family_id: a person's data that every pole reads."""

from core.testing.contract import plugin_contract
from tests.plugin_system.samples import sample

plugin = sample("sample_family_in_reference", shared_family_table=True)
TestContract = plugin_contract(plugin)
