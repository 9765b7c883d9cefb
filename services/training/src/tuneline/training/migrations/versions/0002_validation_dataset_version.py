"""training: a job may validate on a separate dataset version (an OpenAI validation_file)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("training_jobs", sa.Column("validation_dataset_version_id", sa.Uuid(), nullable=True))
    # existing jobs validate on their own validation split, as before
    op.add_column(
        "training_jobs",
        sa.Column("validation_uris", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("training_jobs", "validation_uris")
    op.drop_column("training_jobs", "validation_dataset_version_id")
