"""data: erasure tombstones and the other services' acknowledgements

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_erasures",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("dataset_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("usecase_id", sa.Uuid(), nullable=False),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("whole_dataset", sa.Boolean(), nullable=False),
        sa.Column("version_ids", JSONB(), nullable=False),
        sa.Column("version_numbers", JSONB(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", JSONB(), nullable=False),
        sa.Column("expected", JSONB(), nullable=False),
    )
    op.create_table(
        "data_erasure_acknowledgements",
        sa.Column("erasure_id", sa.Uuid(), primary_key=True),
        sa.Column("service", sa.String(), primary_key=True),
        sa.Column("counts", JSONB(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("data_erasure_acknowledgements")
    op.drop_table("data_erasures")
