"""Alembic environment of the consultation council plugin (shared with the core: see core.db.migration_env)."""

from core.db.migration_env import run_env

run_env()
