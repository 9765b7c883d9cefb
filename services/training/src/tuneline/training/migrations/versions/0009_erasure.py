"""training: erasure (jobs marked erased, the record of erasures applied)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from tuneline.common.erasure import create_erasure_table, drop_erasure_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("training_jobs", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    create_erasure_table(op)


def downgrade() -> None:
    drop_erasure_table(op)
    op.drop_column("training_jobs", "erased_at")
