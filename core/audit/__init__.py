"""The tenant-scoped audit trail (append-only)."""
