"""Core domain features. Each registers through the same hooks plugins use."""
