"""registry: the trace context a model version was registered under (its release and first served request link to it)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registry_model_versions", sa.Column("trace_context", sa.String(length=55), nullable=True))


def downgrade() -> None:
    op.drop_column("registry_model_versions", "trace_context")
