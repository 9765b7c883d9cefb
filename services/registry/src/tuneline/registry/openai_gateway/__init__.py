"""OpenAI-compatible fine-tuning surface (/v1/files, /v1/fine_tuning/jobs, /v1/chat/completions, /v1/models).

It acts for the caller through the intake, data and training services' REST APIs; it keeps only the mapping
from OpenAI ids to theirs (and idempotency keys) in the registry schema."""
