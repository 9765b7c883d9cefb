"""intake: kernel tables, use cases, comments, timeline

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
        "intake_usecases",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("industry", sa.String(), nullable=True),
        sa.Column("business_unit", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("submitter", sa.String(), nullable=False),
        sa.Column("form", JSONB(), nullable=False),
        sa.Column("assessment", JSONB(), nullable=True),
        sa.Column("rice_score", sa.Float(), nullable=True),
        sa.Column("rice_overrides", JSONB(), nullable=False),
        sa.Column("recommended_approach", sa.String(), nullable=True),
        sa.Column("progress", JSONB(), nullable=False),
        sa.Column("stage", sa.String(), nullable=True),
        sa.Column("last_event_at", TZ, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("source_system", sa.String(), nullable=True),
        sa.Column("external_ref", sa.String(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    # The portfolio ranks by RICE (unscored drafts last) with an id tie-break, optionally filtered by one column:
    # each filter has an index in ranking order, so a page is an index range scan, never a sort of the table.
    rank = [sa.text("rice_score DESC NULLS LAST"), sa.text("id")]
    op.create_index("intake_usecases_rank", "intake_usecases", rank)
    for column in ("industry", "business_unit", "status"):
        op.create_index(f"intake_usecases_{column}_rank", "intake_usecases", [sa.text(column), *rank])
    op.create_index(
        "intake_usecases_active_recent",
        "intake_usecases",
        [sa.text("last_event_at DESC NULLS LAST"), sa.text("id")],
        postgresql_where=sa.text("status IN ('approved', 'in_progress', 'deployed')"),
    )
    op.create_index(
        "intake_usecases_external_ref",
        "intake_usecases",
        ["source_system", "external_ref"],
        unique=True,
        postgresql_where=sa.text("external_ref IS NOT NULL"),
    )
    op.create_table(
        "intake_comments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), sa.ForeignKey("intake_usecases.id"), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("intake_comments_usecase", "intake_comments", ["usecase_id", "created_at"])
    op.create_table(
        "intake_timeline",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), sa.ForeignKey("intake_usecases.id"), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("producer", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_index("intake_timeline_usecase", "intake_timeline", ["usecase_id", "occurred_at", "id"])


def downgrade() -> None:
    op.drop_table("intake_timeline")
    op.drop_table("intake_comments")
    op.drop_table("intake_usecases")
    drop_kernel_tables(op)
