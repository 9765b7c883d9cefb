"""registry: a fine-tuning key may be bound to one use case

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: unbound keys (all keys made before) name their use case per call (the OpenAI-Project header)
    op.add_column("registry_api_keys", sa.Column("usecase_id", postgresql.UUID(as_uuid=True), nullable=True))


def downgrade() -> None:
    op.drop_column("registry_api_keys", "usecase_id")
