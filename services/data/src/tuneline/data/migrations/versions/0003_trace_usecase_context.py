"""data: the approval's trace context, which every dataset version links to

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
    op.add_column("data_usecases", sa.Column("trace_context", sa.String(length=55), nullable=True))


def downgrade() -> None:
    op.drop_column("data_usecases", "trace_context")
