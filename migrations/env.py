"""Alembic environment of the core (shared with every plugin: see core.db.migration_env)."""

from core.db.migration_env import run_env

run_env()
