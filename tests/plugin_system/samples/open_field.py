"""Mistake: a namespace field without sdk.requires: every account of the pole reads
it, the family role included."""

from core.testing.contract import plugin_contract
from tests.plugin_system.samples import sample

plugin = sample("sample_open_field", read_action=False)
TestContract = plugin_contract(plugin)
