"""Authentication and access: accounts, memberships, sessions, tokens, machine clients.

The token (or cookie) names a person or a client; the pole and the roles come from
``memberships``, read again on every request (``principal.resolve``).
"""
