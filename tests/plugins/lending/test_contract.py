"""The platform's contract for the tutorial's plugin (SQLite, and PostgreSQL with
``--maillage-db=postgres`` as ``make test`` runs it)."""

from core.testing.contract import plugin_contract
from tests.plugins.lending import plugin

TestContract = plugin_contract(plugin)
