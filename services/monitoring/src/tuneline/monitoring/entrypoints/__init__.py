"""Monitoring's entry points: REST routes, Kafka subscribers and the periodic loops; thin adapters over the
domains and `tuneline.monitoring.orchestration`."""
