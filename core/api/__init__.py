"""The HTTP and GraphQL surface: the Starlette app, the schema builder, the request context."""
