"""monitoring: the record of erasures applied

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from tuneline.common.erasure import create_erasure_table, drop_erasure_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_erasure_table(op)


def downgrade() -> None:
    drop_erasure_table(op)
