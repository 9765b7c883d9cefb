"""registry: every reviewer's verdict per version, the serving reconciler's desired/applied revisions, and rate-limit
windows shared by every gateway replica

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the human-review policy counts distinct reviewers: one verdict per reviewer; `review` stays the latest
    op.add_column(
        "registry_model_versions",
        sa.Column("reviews", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.execute(
        "UPDATE registry_model_versions SET reviews = jsonb_build_array(review) WHERE review IS NOT NULL "
        "AND review <> 'null'::jsonb"
    )
    op.create_table(
        "registry_serving_sync",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("desired_revision", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("applied_revision", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.CheckConstraint("id = 1", name="registry_serving_sync_one_row"),
    )
    op.execute("INSERT INTO registry_serving_sync (id) VALUES (1)")
    # one row per key per one-minute window, incremented with an upsert by every gateway replica
    op.create_table(
        "registry_rate_windows",
        sa.Column("prefix", sa.String(), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), primary_key=True),
        sa.Column("hits", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("registry_rate_windows")
    op.drop_table("registry_serving_sync")
    op.drop_column("registry_model_versions", "reviews")
