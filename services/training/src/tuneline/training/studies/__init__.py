"""Hyperparameter studies: Optuna searches over a preset's ranges whose trials are ordinary training jobs."""
