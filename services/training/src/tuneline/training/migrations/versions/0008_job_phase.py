"""training: a job's phase, progress within it and the time left over every phase

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("training_jobs", sa.Column("phase", sa.String(), nullable=False, server_default="queued"))
    op.add_column("training_jobs", sa.Column("phase_done", sa.Integer(), nullable=True))
    op.add_column("training_jobs", sa.Column("phase_total", sa.Integer(), nullable=True))
    op.add_column("training_jobs", sa.Column("eta_seconds", sa.Float(), nullable=True))
    # Jobs from before phases were reported: succeeded ones are done; the others that started read as training
    # (running ones until their worker's next report), those that never started as queued.
    op.execute("UPDATE training_jobs SET phase = 'done' WHERE status = 'succeeded'")
    op.execute(
        "UPDATE training_jobs SET phase = 'training' "
        "WHERE status IN ('starting', 'running', 'paused', 'failed', 'cancelled') AND started_at IS NOT NULL"
    )


def downgrade() -> None:
    for column in ("eta_seconds", "phase_total", "phase_done", "phase"):
        op.drop_column("training_jobs", column)
