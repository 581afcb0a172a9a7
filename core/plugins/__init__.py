"""The plugin system: manifest, hook specifications, discovery, per-pole enabling."""
