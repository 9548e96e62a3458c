"""Alembic environment of the notices plugin (shared with the core: see core.db.migration_env)."""

from core.db.migration_env import run_env

run_env()
