"""No mistake, and a list of plain values in its namespace (``themes: [String!]!``),
which the isolation check once sent ``{ themes { __typename } }`` (issue 16)."""

from core.testing.contract import plugin_contract
from tests.plugin_system.samples import sample

plugin = sample("sample_sound")
TestContract = plugin_contract(plugin)
