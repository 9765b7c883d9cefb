"""registry: keys that may drive the OpenAI fine-tuning surface, and which key created an OpenAI job

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "registry_api_keys",
        sa.Column("fine_tuning_roles", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.add_column("registry_openai_jobs", sa.Column("key_prefix", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("registry_openai_jobs", "key_prefix")
    op.drop_column("registry_api_keys", "fine_tuning_roles")
