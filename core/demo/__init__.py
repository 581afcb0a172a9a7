"""Demo data for the two demo poles: fictitious, generated, idempotent."""
