"""registry: the record of erasures applied

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from tuneline.common.erasure import create_erasure_table, drop_erasure_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_erasure_table(op)


def downgrade() -> None:
    drop_erasure_table(op)
