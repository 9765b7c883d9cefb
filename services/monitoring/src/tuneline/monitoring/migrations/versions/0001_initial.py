"""monitoring: kernel tables, raw events, roll-ups, models, references, drift, alerts, quality, retraining

Revision ID: 0001
Revises:
"""

from alembic import op

from tuneline.common.db import create_kernel_tables, drop_kernel_tables
from tuneline.monitoring.tables import MONITORING_TABLES

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kernel_tables(op)
    bind = op.get_bind()
    for table in MONITORING_TABLES:
        table.create(bind=bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(MONITORING_TABLES):
        table.drop(bind=bind, checkfirst=True)
    drop_kernel_tables(op)
