"""First-party plugins, one package each, found through the maillage.plugins entry points."""
