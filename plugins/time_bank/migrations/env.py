"""Alembic environment of the time bank plugin (shared with the core: see core.db.migration_env)."""

from core.plugin_api.migrations import run_env

run_env()
