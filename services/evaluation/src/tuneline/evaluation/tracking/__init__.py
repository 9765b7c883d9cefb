"""Finished evaluations logged to MLflow (tuneline.common.tracking) when a tracking server is configured."""
