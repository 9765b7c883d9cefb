"""monitoring: each monitored model's team (deployment.updated's), which decides who sees its monitoring

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: models announced before events carried a team are the admins' until the next deployment.updated.
    # IF NOT EXISTS: 0001 builds the tables from the current definitions, so a fresh database has them already.
    op.execute("ALTER TABLE monitoring_models ADD COLUMN IF NOT EXISTS team VARCHAR")
    op.execute("CREATE INDEX IF NOT EXISTS ix_monitoring_models_team ON monitoring_models (team)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_monitoring_models_team")
    op.execute("ALTER TABLE monitoring_models DROP COLUMN IF EXISTS team")
