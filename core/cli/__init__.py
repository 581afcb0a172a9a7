"""The ``maillage`` command line."""
