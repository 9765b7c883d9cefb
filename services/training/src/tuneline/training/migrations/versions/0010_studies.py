"""training: hyperparameter studies (their table, trial links on jobs, the schema of Optuna's storage)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _optuna_schema() -> str:
    # TrainingSettings.optuna_schema: Optuna keeps its own alembic_version table, so it gets a schema of its own.
    return f"{op.get_context().config.attributes['tuneline_schema']}_optuna"


def upgrade() -> None:
    op.create_table(
        "training_studies",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("validation_dataset_version_id", sa.Uuid(), nullable=True),
        sa.Column("team", sa.String(), nullable=True, index=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("preset", sa.String(), nullable=False),
        sa.Column("base_model", sa.String(), nullable=True),
        sa.Column("method", sa.String(), nullable=True),
        sa.Column("hyperparameters", JSONB(), nullable=False),
        sa.Column("search_space", JSONB(), nullable=False),
        sa.Column("n_trials", sa.Integer(), nullable=False),
        sa.Column("max_cost_usd", sa.Float(), nullable=True),
        sa.Column("parallelism", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("pruning", JSONB(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("stop_reason", sa.String(), nullable=True),
        sa.Column("best_job_id", sa.Uuid(), nullable=True),
        sa.Column("best_trial_number", sa.Integer(), nullable=True),
        sa.Column("best_value", sa.Float(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
    )
    op.create_index("training_studies_running", "training_studies", ["status"], postgresql_where="status = 'running'")
    op.add_column("training_jobs", sa.Column("study_id", sa.Uuid(), nullable=True))
    op.add_column("training_jobs", sa.Column("trial_number", sa.Integer(), nullable=True))
    op.add_column("training_jobs", sa.Column("stop_reason", sa.String(), nullable=True))
    op.add_column("training_jobs", sa.Column("completed_event", JSONB(), nullable=True))
    op.create_index("ix_training_jobs_study_id", "training_jobs", ["study_id"])
    # Optuna creates its tables here on first use (RDBStorage, under an advisory lock: studies/optuna_repository.py).
    op.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{_optuna_schema()}"'))


def downgrade() -> None:
    op.execute(sa.text(f'DROP SCHEMA IF EXISTS "{_optuna_schema()}" CASCADE'))
    op.drop_index("ix_training_jobs_study_id", "training_jobs")
    for column in ("completed_event", "stop_reason", "trial_number", "study_id"):
        op.drop_column("training_jobs", column)
    op.drop_table("training_studies")
