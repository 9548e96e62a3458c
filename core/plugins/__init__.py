"""The plugin host: discovery, manifests, per-district enablement and hook calling."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins.asyncio import call_hook, first_result
from core.plugins.host import CORE_KEY, InstalledPlugin, PluginHost
from core.plugins.manifest import Manifest, NavItem, Permission, PolicyDefault, RoleDef, Widget

__all__ = (
    "CORE_KEY",
    "InstalledPlugin",
    "Manifest",
    "NavItem",
    "Permission",
    "PluginHost",
    "PolicyDefault",
    "RoleDef",
    "Widget",
    "call_hook",
    "first_result",
    "hookimpl",
)
