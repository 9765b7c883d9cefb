"""data: the team (and creator) of each approved use case, from usecase.approved

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: use cases approved before teams have neither; only an admin adds data to them until re-approved
    op.add_column("data_usecases", sa.Column("team", sa.String(), nullable=True))
    op.add_column("data_usecases", sa.Column("owner", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("data_usecases", "owner")
    op.drop_column("data_usecases", "team")
