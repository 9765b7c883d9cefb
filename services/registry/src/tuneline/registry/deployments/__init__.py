"""Deployments: traffic plans (canary, promotion, rollback, blue/green) and applying them to Ray Serve."""
