"""evaluation: kernel tables, use cases, loss points, runs, review items, ratings

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
        "evaluation_usecases",
        sa.Column("usecase_id", sa.Uuid(), primary_key=True),
        sa.Column("kpi_targets", JSONB(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("human_review_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "evaluation_loss_points",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("train_loss", sa.Float(), nullable=True),
        sa.Column("val_loss", sa.Float(), nullable=True),
        sa.UniqueConstraint("job_id", "step", name="evaluation_loss_points_job_step"),
    )
    op.create_table(
        "evaluation_runs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("task_type", sa.String(), nullable=False),
        sa.Column("base_model", sa.String(), nullable=False),
        sa.Column("adapter_uri", sa.String(), nullable=False),
        sa.Column("test_split_uri", sa.String(), nullable=True),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("labels", JSONB(), nullable=False),
        sa.Column("hyperparameters", JSONB(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(), nullable=True),
        sa.Column("heartbeat_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("reasons", JSONB(), nullable=False),
        sa.Column("metrics_base", JSONB(), nullable=False),
        sa.Column("metrics_tuned", JSONB(), nullable=False),
        sa.Column("forgetting", JSONB(), nullable=False),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("review_required", sa.Boolean(), nullable=False),
        sa.Column("review_reasons", JSONB(), nullable=False),
        sa.Column("report_key", sa.String(), nullable=True),
        sa.Column("report_html_key", sa.String(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("evaluation_runs_usecase", "evaluation_runs", ["usecase_id", sa.text("created_at DESC")])
    # The runner's claim query: oldest queued first.
    op.create_index(
        "evaluation_runs_queue", "evaluation_runs", ["created_at"], postgresql_where=sa.text("status = 'queued'")
    )
    op.create_index(
        "evaluation_runs_running", "evaluation_runs", ["heartbeat_at"], postgresql_where=sa.text("status = 'running'")
    )
    op.create_table(
        "evaluation_review_items",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("output_a", sa.Text(), nullable=False),
        sa.Column("output_b", sa.Text(), nullable=False),
        sa.Column("tuned_side", sa.String(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("evaluation_id", "item_id", name="evaluation_review_items_item"),
    )
    op.create_table(
        "evaluation_ratings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("relevance", sa.Integer(), nullable=False),
        sa.Column("correctness", sa.Integer(), nullable=False),
        sa.Column("style_match", sa.Integer(), nullable=False),
        sa.Column("helpfulness", sa.Integer(), nullable=False),
        sa.Column("safe", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("evaluation_id", "item_id", "reviewer", "side", name="evaluation_ratings_once"),
    )
    op.create_index("evaluation_ratings_evaluation", "evaluation_ratings", ["evaluation_id"])


def downgrade() -> None:
    for table in (
        "evaluation_ratings",
        "evaluation_review_items",
        "evaluation_runs",
        "evaluation_loss_points",
        "evaluation_usecases",
    ):
        op.drop_table(table)
    drop_kernel_tables(op)
