"""Test support: real-infrastructure fixtures (a pytest plugin) and helpers to drive a service in-process."""
