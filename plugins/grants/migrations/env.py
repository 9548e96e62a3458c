"""Alembic environment of the notices plugin (shared with the core: see core.db.migration_env)."""

from core.plugin_api.migrations import run_env

run_env()
