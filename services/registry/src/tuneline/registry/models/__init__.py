"""Registered models: lifecycle rules, model cards, their tables, queries, REST routes and consumers."""
