"""The one Jinja environment: core templates, then each plugin's ``templates/`` folder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
from jinja2_fragments import setup_globals

from core.config import PROJECT_ROOT
from core.i18n import (
    format_date,
    format_datetime,
    format_number,
    iter_locales,
    localized,
    template_gettext,
    template_ngettext,
)
from core.web.static import StaticUrls

if TYPE_CHECKING:
    from core.plugins import PluginHost

__all__ = ("TEMPLATES_DIR", "TemplateHelpers", "build_environment", "install_template_globals")

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def build_environment(host: PluginHost) -> jinja2.Environment:
    """A sync environment (jinja2-fragments renders blocks synchronously) with i18n installed."""
    search = [str(TEMPLATES_DIR)] + [str(p.templates_dir) for p in host.installed.values() if p.templates_dir]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        # FormTokenExtension: a one-time token in every form (core.web.idempotency).
        extensions=["jinja2.ext.i18n", "core.web.idempotency.FormTokenExtension"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(datetime=format_datetime, date=format_date, number=format_number)
    env.globals["locales"] = list(iter_locales())
    env.globals["localized"] = localized  # {{ localized(row.name_zh, row.name_en) }}
    env.globals["static_url"] = StaticUrls(host)  # {{ static_url('/static/app.css') }}: versioned (core.web.static)
    setup_globals(env)
    # The form fields (core/fields.html) for every template, fragments included: {{ ui.text(…) }}.
    env.globals["ui"] = env.get_template("core/fields.html").module
    install_template_globals(env, host)
    return env


class TemplateHelpers(dict[str, Any]):
    """One plugin's template helpers: ``{{ key.name(…) }}`` (a dict whose keys read as attributes)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def install_template_globals(env: jinja2.Environment, host: PluginHost) -> None:
    """Each plugin's ``template_globals()`` under its key, so two plugins' ``state_label`` never clash.

    A plugin key that is already a global (``_``, ``locales`` …) is refused at start-up.
    """
    for impl in host.pm.hook.template_globals.get_hookimpls():
        key = impl.plugin_name
        helpers: dict[str, Any] = dict(impl.function() or {})  # type: ignore[call-overload]
        if not helpers:
            continue
        if key in env.globals and not isinstance(env.globals[key], TemplateHelpers):
            msg = f"模板全局名冲突 / plugin {key!r}: template globals would hide the global {key!r}"
            raise RuntimeError(msg)
        installed = env.globals.setdefault(key, TemplateHelpers())
        assert isinstance(installed, TemplateHelpers)
        installed.update(helpers)
