"""registry: exports of model versions (merged safetensors, GGUF, adapter) with their verification

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_exports",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("model_id", sa.Uuid(), sa.ForeignKey("registry_models.id"), nullable=False),
        sa.Column("version_id", sa.Uuid(), sa.ForeignKey("registry_model_versions.id"), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("quantization", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("worker", sa.String(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prefix", sa.String(), nullable=False),
        sa.Column("files", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("verification", JSONB(), nullable=True),
        sa.Column("details", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.create_index("ix_registry_exports_model_id", "registry_exports", ["model_id"])
    op.create_index("ix_registry_exports_version_id", "registry_exports", ["version_id"])
    op.create_index(
        "registry_exports_request",
        "registry_exports",
        ["version_id", "format", sa.text("coalesce(quantization, '')")],
        unique=True,
    )
    # the runner claims the oldest queued export and reaps stale running ones
    op.create_index("ix_registry_exports_status", "registry_exports", ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("registry_exports")
