"""Use cases: the intake form, its lifecycle and who may act on it."""
