"""registry: the prompt template each model version was trained and evaluated with

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: versions registered before templates existed have none; their card says so
    op.add_column("registry_model_versions", sa.Column("prompt_template", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("registry_model_versions", "prompt_template")
