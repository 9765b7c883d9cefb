from alembic import context

from tuneline.common.db import run_migrations_online

run_migrations_online(context)
