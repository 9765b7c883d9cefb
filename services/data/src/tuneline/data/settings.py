"""Data service configuration (environment variables TUNELINE_<FIELD>)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from tuneline.common.settings import ServiceSettings, server_secret

#: Development-only salt; refused in production like the other placeholder secrets.
DEV_PII_SALT = "tuneline-development-only-pii-salt"


class DataSettings(ServiceSettings):
    service_name: str = "data"
    http_port: int = 8102

    max_upload_bytes: int = Field(
        default=2 * 1024**3, ge=1, description="Largest accepted upload (all parts together), in bytes."
    )
    max_part_bytes: int = Field(
        default=64 * 1024**2, ge=1024, description="Largest part of a chunked/resumable upload, in bytes."
    )
    inline_processing_max_bytes: int = Field(
        default=32 * 1024**2,
        ge=0,
        description="Uploads up to this size are processed inside the request (answer 201 or 4xx); larger ones "
        "are queued for the background worker (answer 202; poll the upload).",
    )
    max_record_bytes: int = Field(
        default=8 * 1024**2,
        ge=1024,
        description="Largest record (a JSONL line, a JSON array element, a CSV row), in bytes; a longer line "
        "rejects the file naming the line.",
    )
    max_record_depth: int = Field(
        default=64, ge=1, le=512, description="Deepest nesting of a record's JSON; deeper records are rejected."
    )
    processing_workers: int = Field(
        default=1,
        ge=0,
        description="Processes that parse, scan and build uploads off the event loop (each loads its own PII "
        "engine, ~600 MB with presidio). 0 runs them in a thread of the service process (tests, debugging): "
        "the GIL then slows the service's other requests while a file is processed.",
    )
    pii_engine: Literal["presidio", "regex"] = Field(
        default="presidio",
        description="presidio: spaCy NER + presidio recognizers (names, places, numbers; ~7 s to load). regex: "
        "numbers, e-mails and phones only, no names (for machines without the spaCy model).",
    )
    pii_hash_salt: SecretStr | None = Field(
        default=None,
        description="Salt (>= 32 bytes) for hash redaction; stable across versions. Unset: generated once in "
        "TUNELINE_STATE_DIR/pii-hash-salt (development and test; required in production).",
    )
    tokenizer_path: str | None = Field(
        default=None,
        description="tokenizer.json (or a directory holding one) used for token statistics when the use case's "
        "base model is not a local directory with its own tokenizer.",
    )
    tokenizer_cache_dir: str = Field(
        default="./.tuneline/tokenizers",
        description="Where the shipped SmolLM2's tokenizer is extracted once from its GGUF file.",
    )
    min_tokens: int = Field(default=10, ge=0, description="Shortest acceptable record, in tokens.")
    max_tokens: int = Field(default=4000, ge=1, description="Longest acceptable record, in tokens.")
    near_duplicate_threshold: float = Field(default=0.9, gt=0, le=1, description="MinHash Jaccard threshold.")
    max_format_error_share: float = Field(
        default=0.05, ge=0, le=1, description="Share of malformed records above which a version is rejected."
    )
    default_split: str = Field(default="80/10/10", description="Split ratios when an upload names none.")
    split_seed: int = Field(default=42, description="Seed for splits when an upload names none.")
    worker_poll_interval_s: float = Field(default=1.0, gt=0, description="Background upload worker poll period.")
    run_worker: bool = Field(default=True, description="Run the background upload worker in this process.")

    @model_validator(mode="after")
    def _check_salt(self) -> Self:
        self.pii_hash_salt = server_secret(
            self.pii_hash_salt,
            variable="TUNELINE_PII_HASH_SALT",
            file_name="pii-hash-salt",
            environment=self.environment,
            http_host=self.http_host,
            state_dir=self.state_dir,
            shipped_defaults=frozenset({DEV_PII_SALT}),
        )
        if self.min_tokens > self.max_tokens:
            raise ValueError("TUNELINE_MIN_TOKENS must not exceed TUNELINE_MAX_TOKENS")
        return self

    def salt_bytes(self) -> bytes:
        assert self.pii_hash_salt is not None
        return self.pii_hash_salt.get_secret_value().encode()
