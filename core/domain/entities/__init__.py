"""Core's people and places as a plugin sees them (``core.sdk`` hands them on).

A plugin stores references to core's family, child, structure, organisation, partner,
staff member, commune and EPCI, checks the ids its clients send, and shows core's
records in its own GraphQL types — through the views of this package only. They are
part of the plugin API (since 1.1): their names, fields and behaviour change only with
the API version, while the tables and types behind them stay core's to change.
"""
