"""registry: OpenAI gateway files and fine-tuning jobs (ids mapped onto data versions and training jobs)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registry_openai_files",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("usecase_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("status_details", sa.String(), nullable=True),
        sa.Column("content_key", sa.String(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    # list: the caller's files, newest first
    op.create_index("registry_openai_files_owner", "registry_openai_files", ["owner", "created_at"])
    op.create_table(
        "registry_openai_jobs",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("training_job_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("training_file", sa.String(), nullable=False),
        sa.Column("validation_file", sa.String(), nullable=True),
        sa.Column("hyperparameters", JSONB(), nullable=False),
        sa.Column("suffix", sa.String(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("metadata_", JSONB(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("owner", "idempotency_key", name="registry_openai_jobs_idempotency"),
    )
    # list with pagination: the caller's jobs, newest first, `after` a given job
    op.create_index("registry_openai_jobs_owner", "registry_openai_jobs", ["owner", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("registry_openai_jobs")
    op.drop_table("registry_openai_files")
