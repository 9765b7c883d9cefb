"""PII detection (presidio + fast pre-filter), reports with masked examples, and redaction policies."""
