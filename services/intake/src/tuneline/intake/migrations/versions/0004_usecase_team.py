"""intake: the team a use case belongs to (its creator's)

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
    # nullable: use cases made before teams have none; downstream they are their owner's (and admins') only
    op.add_column("intake_usecases", sa.Column("team", sa.String(), nullable=True))
    op.create_index("ix_intake_usecases_team", "intake_usecases", ["team"])


def downgrade() -> None:
    op.drop_index("ix_intake_usecases_team", table_name="intake_usecases")
    op.drop_column("intake_usecases", "team")
