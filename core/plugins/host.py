"""Discovering plugins and building hook callers that leave out a district's disabled ones."""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs
from core.plugins.manifest import Manifest

__all__ = ("CORE_KEY", "InstalledPlugin", "PluginError", "PluginHost")

CORE_KEY = "core"
ENTRY_POINT_GROUP = "sanshe.plugins"
BUILTIN_PACKAGE = "plugins"


class PluginError(RuntimeError):
    """A plugin cannot be loaded, or a change of enablement is refused."""


@dataclass
class InstalledPlugin:
    """A plugin registered with the host (enabled or not in any district)."""

    key: str
    module: ModuleType
    manifest: Manifest
    source: str
    package_dir: Path
    hooks: list[str] = field(default_factory=list)

    @property
    def package(self) -> str:
        """The plugin's Python package (its translation domain covers every module in it)."""
        return self.module.__package__ or self.module.__name__.rpartition(".")[0]

    @property
    def locale_dir(self) -> Path | None:
        path = self.package_dir / "locale"
        return path if path.is_dir() else None

    @property
    def templates_dir(self) -> Path | None:
        path = self.package_dir / "templates"
        return path if path.is_dir() else None

    @property
    def static_dir(self) -> Path | None:
        path = self.package_dir / "static"
        return path if path.is_dir() else None

    @property
    def migrations_dir(self) -> Path | None:
        path = self.package_dir / "migrations"
        return path if (path / "env.py").is_file() else None


class DistrictHooks:
    """Hook callers for one set of enabled plugins (``pm.subset_hook_caller``), built lazily."""

    def __init__(self, pm: pluggy.PluginManager, disabled: Sequence[object]) -> None:
        self._pm = pm
        self._disabled = disabled
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        caller = self._callers.get(name)
        if caller is None:
            if not self._disabled:
                caller = getattr(self._pm.hook, name)
            else:
                caller = self._pm.subset_hook_caller(name, remove_plugins=self._disabled)
            self._callers[name] = caller
        return caller


class PluginHost:
    """Owns the pluggy manager; every installed plugin is registered exactly once."""

    def register_catalogs(self) -> None:
        """Make each plugin's translations known (its own domain), for the app, the CLI and tests alike."""
        from core.i18n import add_locale_dir  # noqa: PLC0415 - i18n is below the plugin host

        for plugin in self.plugins:
            if plugin.locale_dir:
                add_locale_dir(plugin.locale_dir, domain=plugin.key, package=plugin.package)

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("sanshe")
        self.pm.add_hookspecs(hookspecs)
        self.installed: dict[str, InstalledPlugin] = {}
        self._subsets: dict[frozenset[str], DistrictHooks] = {}

    # -- loading ---------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        allowed: frozenset[str] | None = None,
        *,
        entry_points: bool = True,
        extra_modules: tuple[ModuleType, ...] = (),
    ) -> PluginHost:
        """Register the core, the built-in plugins and the entry-point plugins allowed.

        ``allowed`` is ``SANSHE_PLUGINS``: when set, only those plugin keys load.
        """
        host = cls()
        host.register(importlib.import_module("core.builtin_hooks"), source="core", key=CORE_KEY)
        for info in pkgutil.iter_modules(_builtin_path()):
            if not info.ispkg or (allowed is not None and info.name not in allowed):
                continue
            module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}.hooks")
            host.register(module, source="built-in")
        if entry_points:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                if allowed is not None and ep.name not in allowed:
                    continue
                if ep.name in host.installed:
                    continue
                dist = ep.dist.name + " " + ep.dist.version if ep.dist else "?"
                host.register(ep.load(), source=f"entry point ({dist})")
        for module in extra_modules:
            host.register(module, source="test")
        host.pm.check_pending()
        host.check_dependencies()
        return host

    def register(self, module: ModuleType, *, source: str, key: str | None = None) -> InstalledPlugin:
        """Register one plugin module (its ``hooks`` module) under its manifest key."""
        manifest = _manifest_of(module)
        key = key or manifest.key
        if key in self.installed:
            msg = f"插件重复 / plugin {key!r} is installed twice ({self.installed[key].source} and {source})"
            raise PluginError(msg)
        self.pm.register(module, name=key)
        package = sys.modules[module.__package__] if module.__package__ else module
        package_dir = Path(package.__file__ or module.__file__ or ".").parent
        hooks = sorted(caller.name for caller in self.pm.get_hookcallers(module) or [])
        plugin = InstalledPlugin(key, module, manifest, source, package_dir, hooks)
        self.installed[key] = plugin
        self._subsets.clear()
        return plugin

    def check_dependencies(self) -> None:
        """Refuse to start when an installed plugin depends on one that is not installed."""
        for plugin in self.installed.values():
            missing = [dep for dep in plugin.manifest.depends_on if dep not in self.installed]
            if missing:
                msg = (
                    f"插件 {plugin.key} 依赖的插件未安装：{', '.join(missing)} / "
                    f"plugin {plugin.key!r} depends on plugins that are not installed: {', '.join(missing)}"
                )
                raise PluginError(msg)

    # -- querying --------------------------------------------------------------------

    @property
    def plugins(self) -> list[InstalledPlugin]:
        """Installed plugins other than the core, by key."""
        return [p for k, p in sorted(self.installed.items()) if k != CORE_KEY]

    def get(self, key: str) -> InstalledPlugin:
        try:
            return self.installed[key]
        except KeyError:
            msg = f"未安装的插件 / no plugin {key!r} is installed"
            raise PluginError(msg) from None

    @property
    def hook(self) -> Any:
        """Callers over every installed plugin (start-up hooks: routes, commands)."""
        return self.pm.hook

    def hooks_for(self, enabled: frozenset[str]) -> DistrictHooks:
        """Callers that leave out every plugin not in ``enabled`` (the core always takes part)."""
        cached = self._subsets.get(enabled)
        if cached is None:
            disabled = [p.module for k, p in self.installed.items() if k != CORE_KEY and k not in enabled]
            cached = DistrictHooks(self.pm, disabled)
            self._subsets[enabled] = cached
        return cached

    def call_for(self, key: str, hook_name: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of a hook (``None`` if it has none)."""
        plugin = self.get(key)
        if hook_name not in plugin.hooks:
            return None
        return getattr(plugin.module, hook_name)(**kwargs)


def _builtin_path() -> list[str]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    return list(package.__path__)


def _manifest_of(module: ModuleType) -> Manifest:
    factory = getattr(module, "plugin_manifest", None)
    if factory is None:
        msg = f"插件缺少清单 / plugin module {module.__name__} has no plugin_manifest hook"
        raise PluginError(msg)
    manifest = factory()
    if not isinstance(manifest, Manifest):
        msg = f"plugin_manifest of {module.__name__} must return a core.plugins.Manifest"
        raise PluginError(msg)
    return manifest
