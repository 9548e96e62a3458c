"""Alembic environment of the one_window plugin (shared with the core: see core.db.migration_env).

Revisions go to ``versions/``; the version table is ``alembic_version_one_window``.
Write a new one with ``sanshe db revision --plugin one_window -m "what changes"``.
"""

from core.plugin_api.migrations import run_env

run_env()
