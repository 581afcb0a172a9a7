"""Awareness and training sessions, events and presentations."""
