"""registry: kernel tables, models, versions, stage history, aliases, keys, deployments

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
        "registry_models",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, unique=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=True),
        sa.Column("base_model", sa.String(), nullable=False),
        sa.Column("task_type", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("policy", JSONB(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("registry_models_usecase", "registry_models", ["usecase_id", "base_model"])
    op.create_table(
        "registry_model_versions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("model_id", sa.Uuid(), sa.ForeignKey("registry_models.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("base_model", sa.String(), nullable=False),
        sa.Column("adapter_uri", sa.String(), nullable=True),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=True),
        sa.Column("evaluation_id", sa.Uuid(), nullable=True, unique=True),
        sa.Column("hyperparameters", JSONB(), nullable=False),
        sa.Column("evaluation", JSONB(), nullable=True),
        sa.Column("review", JSONB(), nullable=True),
        sa.Column("card_details", JSONB(), nullable=False),
        sa.Column("report_uri", sa.String(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("model_id", "version"),
    )
    op.create_table(
        "registry_stage_changes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("version_id", sa.Uuid(), sa.ForeignKey("registry_model_versions.id"), nullable=False),
        sa.Column("from_stage", sa.String(), nullable=True),
        sa.Column("to_stage", sa.String(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("registry_stage_changes_version", "registry_stage_changes", ["version_id", "at"])
    op.create_table(
        "registry_aliases",
        sa.Column("model_id", sa.Uuid(), sa.ForeignKey("registry_models.id"), primary_key=True),
        sa.Column("alias", sa.String(), primary_key=True),
        sa.Column("version_id", sa.Uuid(), sa.ForeignKey("registry_model_versions.id"), nullable=False),
    )
    op.create_table(
        "registry_api_keys",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("prefix", sa.String(), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("models", JSONB(), nullable=False),
        sa.Column("requests_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=True),
        sa.Column("revoked_at", TZ, nullable=True),
    )
    # Routers get every key scoped to their model: a containment query on the models array.
    op.create_index("registry_api_keys_models", "registry_api_keys", ["models"], postgresql_using="gin")
    op.create_table(
        "registry_deployments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("model_id", sa.Uuid(), sa.ForeignKey("registry_models.id"), nullable=False, unique=True),
        sa.Column("stable_version_id", sa.Uuid(), sa.ForeignKey("registry_model_versions.id"), nullable=False),
        sa.Column("canary_version_id", sa.Uuid(), sa.ForeignKey("registry_model_versions.id"), nullable=True),
        sa.Column("canary_weight", sa.Float(), nullable=False),
        sa.Column("previous_version_id", sa.Uuid(), sa.ForeignKey("registry_model_versions.id"), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("endpoint", sa.String(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("registry_deployments_status", "registry_deployments", ["status"])


def downgrade() -> None:
    for table in (
        "registry_deployments",
        "registry_api_keys",
        "registry_aliases",
        "registry_stage_changes",
        "registry_model_versions",
        "registry_models",
    ):
        op.drop_table(table)
    drop_kernel_tables(op)
