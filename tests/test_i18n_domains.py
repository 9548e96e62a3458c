"""Each plugin translates through its own catalog first: two plugins may read one English word differently."""

from __future__ import annotations

import importlib

import jinja2
import pytest

from core.i18n import gettext, template_gettext, use_locale
from core.plugins import PluginHost
from core.web.templating import build_environment


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    """The app's template environment with every built-in plugin's catalog registered (as create_app does)."""
    from core.i18n import add_locale_dir

    host = PluginHost.load(None, entry_points=False)
    for plugin in host.plugins:
        if plugin.locale_dir:
            add_locale_dir(plugin.locale_dir, domain=plugin.key, package=plugin.package)
    return build_environment(host)


def _render(env: jinja2.Environment, name: str, source: str) -> str:
    loader = jinja2.DictLoader({name: source})
    return env.overlay(loader=loader).get_template(name).render()


def test_the_same_word_reads_per_plugin_in_templates(env):
    """'For' is 同意 on the council's pages and 面向 on the notices' pages; the core's pages are untouched."""
    with use_locale("zh_CN"):
        assert _render(env, "consultation_council/x.html", '{{ _("For") }}') == "同意"
        assert _render(env, "notices/x.html", '{{ _("For") }}') == "面向"
        assert _render(env, "core/x.html", '{{ _("Save") }}') == "保存"
        # A plugin's template still gets the core's words it does not translate itself.
        assert _render(env, "notices/x.html", '{{ _("Save") }}') == "保存"
    with use_locale("en"):
        assert _render(env, "notices/x.html", '{{ _("For") }}') == "For"


def test_the_same_word_reads_per_plugin_in_python(env):
    """gettext called from a plugin's module asks that plugin's catalog first."""
    council = importlib.import_module("plugins.consultation_council.hooks")
    notices = importlib.import_module("plugins.notices.hooks")
    with use_locale("zh_CN"):
        assert eval("gettext('For')", {"gettext": gettext, "__name__": council.__name__}) == "同意"
        assert eval("gettext('For')", {"gettext": gettext, "__name__": notices.__name__}) == "面向"
        assert gettext("Save") == "保存"


def test_template_gettext_is_context_aware():
    """The Jinja callable carries Jinja's pass_context marker (so the template's name reaches it)."""
    assert getattr(template_gettext, "jinja_pass_arg", None) is not None
