"""training: the trace context a dataset version arrived with and a job was queued under (the worker continues it)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("training_dataset_versions", sa.Column("trace_context", sa.String(length=55), nullable=True))
    op.add_column("training_jobs", sa.Column("trace_context", sa.String(length=55), nullable=True))


def downgrade() -> None:
    op.drop_column("training_jobs", "trace_context")
    op.drop_column("training_dataset_versions", "trace_context")
