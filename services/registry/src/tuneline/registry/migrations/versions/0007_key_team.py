"""registry: the team a key was created in (a fine-tuning key acts in it)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: keys made before teams act in no team, so the other services refuse them team-scoped writes
    op.add_column("registry_api_keys", sa.Column("team", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("registry_api_keys", "team")
