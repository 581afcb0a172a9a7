"""What every feature's GraphQL types share: the request context, ids, pagination,
payloads, gates, audited reads, scalars, text rules and coded errors."""
