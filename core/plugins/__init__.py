"""The plugin host: discovery, manifests, per-district enablement and hook calling."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins.asyncio import call_hook, first_result
from core.plugins.host import CORE_KEY, InstalledPlugin, PluginHost
from core.plugins.manifest import (
    ExportColumn,
    Manifest,
    NavItem,
    Panel,
    Permission,
    PolicyDefault,
    QueueLink,
    RoleDef,
    Widget,
)

__all__ = (
    "CORE_KEY",
    "ExportColumn",
    "InstalledPlugin",
    "Manifest",
    "NavItem",
    "Panel",
    "Permission",
    "PluginHost",
    "PolicyDefault",
    "QueueLink",
    "RoleDef",
    "Widget",
    "call_hook",
    "first_result",
    "hookimpl",
)
