"""monitoring: the outbox remembers which broker generation acknowledged each event; dead letters kept in PostgreSQL

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from tuneline.common.db import downgrade_kernel_resilience, upgrade_kernel_resilience

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_kernel_resilience(op)


def downgrade() -> None:
    downgrade_kernel_resilience(op)
