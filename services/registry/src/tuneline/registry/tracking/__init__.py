"""Model versions registered in MLflow's model registry (tuneline.common.tracking) when a tracking server is
configured."""
