"""data service: kernel tables, use cases, datasets, versions, uploads

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

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_kernel_tables(op)
    op.create_table(
        "data_usecases",
        sa.Column("usecase_id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("industry", sa.String(), nullable=False),
        sa.Column("task_type", sa.String(), nullable=False),
        sa.Column("base_model", sa.String(), nullable=False),
        sa.Column("sensitivity", JSONB(), nullable=False),
        sa.Column("policy", JSONB(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("approved_by", sa.String(), nullable=False),
        sa.Column("approved_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "data_datasets",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("owner", sa.String(), nullable=False, index=True),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("latest_version_id", sa.Uuid(), nullable=True),
        sa.Column("ready_version_id", sa.Uuid(), nullable=True),
    )
    op.create_table(
        "data_dataset_versions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("dataset_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("operation", sa.String(), nullable=False),
        sa.Column("operation_details", JSONB(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("record_format", sa.String(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False, index=True),
        sa.Column("records_key", sa.String(), nullable=False),
        sa.Column("fields", JSONB(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("source", JSONB(), nullable=False),
        sa.Column("validation_report", JSONB(), nullable=False),
        sa.Column("quality_score", sa.Float(), nullable=False),
        sa.Column("pii_report", JSONB(), nullable=True),
        sa.Column("remaining_pii", sa.Integer(), nullable=False),
        sa.Column("split_report", JSONB(), nullable=False),
        sa.Column("split_keys", JSONB(), nullable=False),
        sa.Column("token_stats", JSONB(), nullable=False),
        sa.Column("rejection_reasons", JSONB(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("dataset_id", "number", name="data_dataset_versions_number"),
    )
    op.create_table(
        "data_uploads",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("dataset_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("file_format", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False, index=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("error_code", sa.String(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("parts", JSONB(), nullable=False),
        sa.Column("options", JSONB(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("data_uploads")
    op.drop_table("data_dataset_versions")
    op.drop_table("data_datasets")
    op.drop_table("data_usecases")
    drop_kernel_tables(op)
