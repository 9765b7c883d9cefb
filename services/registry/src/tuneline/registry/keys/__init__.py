"""Scoped inference API keys: key material, hashing, rate limits, and their tables and routes."""
