"""intake: training throughput measured on finished jobs, per hardware profile (shared cost model)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_cost_measured_throughput",
        sa.Column("profile", sa.String(), primary_key=True),
        sa.Column("effective_tflops", sa.Float(), nullable=False),
        sa.Column("measurements", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intake_cost_measured_throughput")
