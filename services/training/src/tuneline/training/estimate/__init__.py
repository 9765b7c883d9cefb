"""Pure estimates for training jobs: tokens, memory, duration and cost, presets, hyperparameter ranges."""
