"""training: the worker pool that claimed a job (the concurrency limit is per pool)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("training_jobs", sa.Column("worker_pool", sa.String(), nullable=True))
    # Jobs claimed before pools existed were claimed by the one platform-wide pool.
    op.execute("UPDATE training_jobs SET worker_pool = 'default' WHERE worker IS NOT NULL")
    op.create_index("ix_training_jobs_pool_status", "training_jobs", ["worker_pool", "status"])


def downgrade() -> None:
    op.drop_index("ix_training_jobs_pool_status", table_name="training_jobs")
    op.drop_column("training_jobs", "worker_pool")
