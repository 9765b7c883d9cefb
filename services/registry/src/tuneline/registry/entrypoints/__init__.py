"""The registry's entry points: REST routes and Kafka subscribers, thin adapters over the domains and
`tuneline.registry.orchestration`."""
