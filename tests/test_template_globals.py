"""The ``template_globals`` hook: each plugin's template helpers, installed once under its key."""

from __future__ import annotations

import types

import pytest

from core.hookspecs import hookimpl
from core.i18n import use_locale
from core.plugins import Manifest, PluginHost
from core.web.templating import build_environment


def _helpers_plugin(key: str, helpers: dict[str, object]) -> types.ModuleType:
    module = types.ModuleType(f"{key}_plugin")
    module.__file__ = __file__

    @hookimpl
    def plugin_manifest() -> Manifest:
        return Manifest(key=key, name_zh="模板助手", name_en="Template helpers", version="1.0.0")

    @hookimpl
    def template_globals() -> dict[str, object]:
        return helpers

    module.plugin_manifest = plugin_manifest  # type: ignore[attr-defined]
    module.template_globals = template_globals  # type: ignore[attr-defined]
    return module


def test_hook_template_globals():
    """Two plugins' helpers of the same name live side by side, each under its plugin's key, in every template."""
    host = PluginHost.load(frozenset({"time_bank", "consultation_council"}), entry_points=False)
    env = build_environment(host)
    template = env.from_string(
        "{{ time_bank.slot_label('sat_am') }} | {{ time_bank.state_label('posted') }}"
        " | {{ consultation_council.state_label('adopted') }}"
    )
    with use_locale("zh_CN"):
        zh = template.render()
    with use_locale("en"):
        en = template.render()
    assert zh == "周六上午 | 待匹配 | 决议通过"
    assert en == "Sat morning | Posted | Resolution adopted"


def test_template_globals_reach_imported_macros():
    """A macro file imported without context still calls the helpers (they are globals, not page context)."""
    plugin = _helpers_plugin("shouter", {"shout": lambda text: text.upper() + "!"})
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(plugin,))
    env = build_environment(host)
    env.loader.mapping = {}  # type: ignore[union-attr]
    macros = env.from_string("{% macro hello(name) %}{{ shouter.shout(name) }}{% endmacro %}")
    assert macros.module.hello("hi").strip() == "HI!"


def test_template_globals_may_not_hide_a_core_global():
    """A plugin whose key is already a global of the templates (``locales``) is refused at start-up."""
    plugin = _helpers_plugin("locales", {"x": 1})
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(plugin,))
    with pytest.raises(RuntimeError, match="locales"):
        build_environment(host)
