"""data: the use case's prompt template, kept with the use case and stored with every dataset version

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: versions made before templates existed were trained with the neutral wording
    op.add_column("data_usecases", sa.Column("prompt_template", JSONB(), nullable=True))
    op.add_column("data_dataset_versions", sa.Column("prompt_template", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("data_dataset_versions", "prompt_template")
    op.drop_column("data_usecases", "prompt_template")
