"""Command-line helpers for a plugin's ``register_commands`` hook (see docs/plugins/api.md)."""

from __future__ import annotations

from core.cli.common import CliError, context_as, echo_table, get_district, run_async

__all__ = ("CliError", "context_as", "echo_table", "get_district", "run_async")
