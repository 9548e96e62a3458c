"""The ``sanshe`` command line. Each command group lives in its own module."""

from __future__ import annotations

import importlib
import sys

import click

from core.cli.common import CliError

__all__ = ("CliError", "main")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sanshe")
def cli() -> None:
    """三社 Sanshe: case management for communities, social organizations and social workers."""


# The command groups, one module each (``core/cli/<name>.py`` with ``register(cli)``).
COMMAND_MODULES = (
    "attachments",
    "audit",
    "calendar",
    "case_types",
    "db",
    "demo",
    "districts",
    "jobs",
    "ledger",
    "notifications",
    "organizations",
    "plugin_new",
    "plugins",
    "roles",
    "run",
    "users",
)


def _register() -> None:
    from core.config import load_settings  # noqa: PLC0415
    from core.plugins import PluginHost  # noqa: PLC0415

    for name in COMMAND_MODULES:
        importlib.import_module(f"core.cli.{name}").register(cli)
    host = PluginHost.load(load_settings().allowed_plugins)
    host.register_catalogs()  # plugins' commands print their messages and labels from their own catalogs
    host.hook.register_commands(cli=cli)


def main() -> None:
    """Entry point of the ``sanshe`` console script."""
    _register()
    try:
        cli.main(standalone_mode=True)
    except CliError as exc:  # pragma: no cover - click handles ClickException itself
        click.echo(f"错误 / error: {exc}", err=True)
        sys.exit(2)
