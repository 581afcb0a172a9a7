"""Benchmarks: `make bench` prints figures; tests never time anything."""
