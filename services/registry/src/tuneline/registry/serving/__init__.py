"""Serving on Ray Serve: the router and model deployments, the adapter engine, OpenAI shapes, records."""
