"""The national network: what poles publish for the network to compare (issue 20).

Only the protection engine lives here for now (``core.network.protection``): pure
computation over a release's tables, with no database, web or GraphQL import, so the
release job, the import of signed releases and the tests all call the same code.
"""
