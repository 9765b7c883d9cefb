"""training: the use case's prompt template, from the dataset version onto every job trained on it

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
    # nullable: earlier versions and jobs carry none and train with the recipe's neutral wording
    op.add_column("training_dataset_versions", sa.Column("prompt_template", JSONB(), nullable=True))
    op.add_column("training_jobs", sa.Column("prompt_template", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("training_jobs", "prompt_template")
    op.drop_column("training_dataset_versions", "prompt_template")
