"""GraphQL types of core, one module per area."""
