"""Training worker: base models, the training recipe, and the worker process that runs jobs."""
