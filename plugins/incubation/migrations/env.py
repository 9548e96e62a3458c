"""Alembic environment of the incubation plugin (shared with the core: see core.db.migration_env).

Revisions go to ``versions/``; the version table is ``alembic_version_incubation``.
Write a new one with ``sanshe db revision --plugin incubation -m "what changes"``.
"""

from core.plugin_api.migrations import run_env

run_env()
