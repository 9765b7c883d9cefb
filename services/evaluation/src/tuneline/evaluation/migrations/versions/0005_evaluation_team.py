"""evaluation: the team (and data sensitivity) of each use case, and the team of each evaluation

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable team: evaluations from before teams have none and are the admins' alone
    op.add_column("evaluation_usecases", sa.Column("team", sa.String(), nullable=True))
    op.add_column(
        "evaluation_usecases", sa.Column("sensitivity", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb"))
    )
    op.add_column("evaluation_runs", sa.Column("team", sa.String(), nullable=True))
    op.create_index("ix_evaluation_runs_team", "evaluation_runs", ["team"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_runs_team", table_name="evaluation_runs")
    op.drop_column("evaluation_runs", "team")
    op.drop_column("evaluation_usecases", "sensitivity")
    op.drop_column("evaluation_usecases", "team")
