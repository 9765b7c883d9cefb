"""evaluation: the trace context an evaluation was queued under (the runner continues it)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("evaluation_runs", sa.Column("trace_context", sa.String(length=55), nullable=True))


def downgrade() -> None:
    op.drop_column("evaluation_runs", "trace_context")
