"""Training jobs: queue, lifecycle, progress, checkpoints, estimates."""
