"""data: a retired use case takes no new datasets or data

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
    op.add_column("data_usecases", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("data_usecases", sa.Column("retired_reason", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("data_usecases", "retired_reason")
    op.drop_column("data_usecases", "retired_at")
