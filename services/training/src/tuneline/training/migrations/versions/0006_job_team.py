"""training: the team of each use case and of each job (inherited from its use case)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: use cases and jobs from before teams have none; such a job is its creator's (and admins') alone
    op.add_column("training_usecases", sa.Column("team", sa.String(), nullable=True))
    op.add_column("training_jobs", sa.Column("team", sa.String(), nullable=True))
    op.create_index("ix_training_jobs_team", "training_jobs", ["team"])


def downgrade() -> None:
    op.drop_index("ix_training_jobs_team", table_name="training_jobs")
    op.drop_column("training_jobs", "team")
    op.drop_column("training_usecases", "team")
