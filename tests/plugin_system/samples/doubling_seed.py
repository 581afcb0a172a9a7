"""Mistake: a seed that adds its rows again at every run."""

from core.testing.contract import plugin_contract
from tests.plugin_system.samples import sample

plugin = sample("sample_doubling_seed", idempotent_seed=False)
TestContract = plugin_contract(plugin)
