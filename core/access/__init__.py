"""Actions, roles and the actor of a request (permissions are actions granted to roles)."""
