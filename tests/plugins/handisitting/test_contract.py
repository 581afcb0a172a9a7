"""The platform's contract for every plugin, in one line."""

from core.testing.contract import plugin_contract

TestContract = plugin_contract("handisitting")
