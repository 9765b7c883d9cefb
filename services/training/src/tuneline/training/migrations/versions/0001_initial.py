"""training: kernel tables, use cases, dataset versions, jobs, metrics, logs, hardware profiles

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from tuneline.common.db import create_kernel_tables, drop_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_kernel_tables(op)
    op.create_table(
        "training_usecases",
        sa.Column("usecase_id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("task_type", sa.String(), nullable=False),
        sa.Column("base_model", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("policy", JSONB(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "training_dataset_versions",
        sa.Column("version_id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("record_format", sa.String(), nullable=False),
        sa.Column("split_uris", JSONB(), nullable=False),
        sa.Column("record_counts", JSONB(), nullable=False),
        sa.Column("mean_tokens", sa.Float(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
    )
    op.create_index(
        "training_dataset_versions_usecase", "training_dataset_versions", ["usecase_id", sa.text("received_at DESC")]
    )
    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("task_type", sa.String(), nullable=False),
        sa.Column("record_format", sa.String(), nullable=False),
        sa.Column("base_model", sa.String(), nullable=False),
        sa.Column("method_requested", sa.String(), nullable=False),
        sa.Column("method_ran", sa.String(), nullable=True),
        sa.Column("preset", sa.String(), nullable=True),
        sa.Column("hyperparameters", JSONB(), nullable=False),
        sa.Column("resolved", JSONB(), nullable=False),
        sa.Column("split_uris", JSONB(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("requested_action", sa.String(), nullable=True),
        sa.Column("worker", sa.String(), nullable=True),
        sa.Column("heartbeat_at", TZ, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Float(), nullable=False),
        sa.Column("train_loss", sa.Float(), nullable=True),
        sa.Column("val_loss", sa.Float(), nullable=True),
        sa.Column("last_checkpoint_key", sa.String(), nullable=True),
        sa.Column("last_checkpoint_step", sa.Integer(), nullable=True),
        sa.Column("adapter_uri", sa.String(), nullable=True),
        sa.Column("metrics", JSONB(), nullable=False),
        sa.Column("trained_tokens", sa.BigInteger(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("estimate", JSONB(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
    )
    # history per use case, newest first
    op.create_index("training_jobs_usecase", "training_jobs", ["usecase_id", sa.text("created_at DESC")])
    # the claim query: queued jobs by priority then age
    op.create_index(
        "training_jobs_queue",
        "training_jobs",
        [sa.text("priority DESC"), sa.text("created_at")],
        postgresql_where=sa.text("status = 'queued'"),
    )
    # the reaper and the concurrency limit look only at active jobs
    op.create_index(
        "training_jobs_active",
        "training_jobs",
        ["heartbeat_at"],
        postgresql_where=sa.text("status IN ('starting', 'running')"),
    )
    op.create_table(
        "training_job_metrics",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Float(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("train_loss", sa.Float(), nullable=True),
        sa.Column("val_loss", sa.Float(), nullable=True),
        sa.Column("learning_rate", sa.Float(), nullable=True),
        sa.Column("tokens_per_second", sa.Float(), nullable=True),
        sa.Column("eta_seconds", sa.Float(), nullable=True),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_index("training_job_metrics_job", "training_job_metrics", ["job_id", "id"])
    op.create_table(
        "training_job_logs",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("training_job_logs_job", "training_job_logs", ["job_id", "id"])
    op.create_table(
        "training_hardware_profiles",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("effective_tflops", sa.Float(), nullable=False),
        sa.Column("measurements", sa.Integer(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "training_hardware_profiles",
        "training_job_logs",
        "training_job_metrics",
        "training_jobs",
        "training_dataset_versions",
        "training_usecases",
    ):
        op.drop_table(table)
    drop_kernel_tables(op)
