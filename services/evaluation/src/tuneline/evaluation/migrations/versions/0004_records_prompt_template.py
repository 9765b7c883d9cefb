"""evaluation: the prompt template a job was trained with, kept with its evaluation run

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
    # nullable: runs queued before templates existed evaluate with the runner's neutral wording
    op.add_column("evaluation_runs", sa.Column("prompt_template", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("evaluation_runs", "prompt_template")
