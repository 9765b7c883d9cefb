"""evaluation: erasure (evaluations marked erased, the record of erasures applied)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from tuneline.common.erasure import create_erasure_table, drop_erasure_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("evaluation_runs", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    create_erasure_table(op)


def downgrade() -> None:
    drop_erasure_table(op)
    op.drop_column("evaluation_runs", "erased_at")
