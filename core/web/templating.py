"""The one Jinja environment: core templates, then each plugin's ``templates/`` folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2
from jinja2_fragments import setup_globals

from core.config import PROJECT_ROOT
from core.i18n import format_date, format_datetime, format_number, iter_locales, template_gettext, template_ngettext

if TYPE_CHECKING:
    from core.plugins import PluginHost

__all__ = ("TEMPLATES_DIR", "build_environment")

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def build_environment(host: PluginHost) -> jinja2.Environment:
    """A sync environment (jinja2-fragments renders blocks synchronously) with i18n installed."""
    search = [str(TEMPLATES_DIR)] + [str(p.templates_dir) for p in host.installed.values() if p.templates_dir]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(datetime=format_datetime, date=format_date, number=format_number)
    env.globals["locales"] = list(iter_locales())
    setup_globals(env)
    return env
