"""``sanshe time-bank …`` (placeholder)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add the ``time-bank`` command group to ``cli``."""
