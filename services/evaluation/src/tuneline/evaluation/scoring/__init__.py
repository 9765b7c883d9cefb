"""Turning predictions into task metrics and per-sample scores."""
