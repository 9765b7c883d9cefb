"""registry: the team a model belongs to (its use case's); versions, cards and deployments inherit it

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: models registered before teams belong to none, so only admins (and services) reach them
    op.add_column("registry_models", sa.Column("team", sa.String(), nullable=True))
    op.create_index("ix_registry_models_team", "registry_models", ["team"])


def downgrade() -> None:
    op.drop_index("ix_registry_models_team", table_name="registry_models")
    op.drop_column("registry_models", "team")
