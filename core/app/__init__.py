"""The top of the house: the Starlette app, the schema composed from every feature's
graphql hook, the auth routes and pages, the document routes and GraphiQL."""
