"""Alembic environment of the rating plugin (shared with the core: see core.db.migration_env).

Revisions go to ``versions/``; the version table is ``alembic_version_rating``.
Write a new one with ``sanshe db revision --plugin rating -m "what changes"``.
"""

from core.plugin_api.migrations import run_env

run_env()
