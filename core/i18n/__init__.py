"""Translations (Babel/gettext) and locale-aware formatting.

The current locale lives in a context variable set once per request, so the same
``gettext`` serves Python code, Jinja templates and error messages. Message ids are
English; the zh_CN catalog must translate every one (a test checks it), and zh_CN is
the default.

Each plugin is its own translation *domain*: a message asked for by a plugin's code (a
module of its package) or by one of its templates (``<key>/…``) is looked up in the
plugin's own catalog first, then in the merged catalog. Two plugins may translate the
same English word differently ("For": 赞成 in the council's ballots, 面向 in a notice)
without either changing the other's pages; the core's pages read the core's catalogs.
"""

from __future__ import annotations

import contextvars
import sys
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_decimal as _format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import pass_context

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date, datetime

    from jinja2.runtime import Context

__all__ = (
    "DEFAULT_LOCALE",
    "LOCALES",
    "current_locale",
    "format_date",
    "format_datetime",
    "format_number",
    "gettext",
    "is_english",
    "localized",
    "ngettext",
    "template_gettext",
    "template_ngettext",
    "use_locale",
)

DEFAULT_LOCALE = "zh_CN"
LOCALES = {"zh_CN": "中文", "en": "English"}
TIMEZONE = ZoneInfo("Asia/Shanghai")
LOCALE_DIRS: list[Path] = [Path(__file__).parent / "locale"]
# Plugin domains: key → its locale/ folder, and Python package → key.
DOMAIN_DIRS: dict[str, Path] = {}
DOMAIN_PACKAGES: dict[str, str] = {}
_module_domains: dict[str, str | None] = {}

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("sanshe_locale", default=DEFAULT_LOCALE)


def add_locale_dir(path: Path, *, domain: str | None = None, package: str | None = None) -> None:
    """Let a plugin's ``locale/`` catalogs take part (called at start-up).

    ``domain`` (the plugin's key) and ``package`` (its Python package) make the plugin's
    own catalog win for its own code and templates.
    """
    if path not in LOCALE_DIRS:
        LOCALE_DIRS.append(path)
    if domain:
        DOMAIN_DIRS[domain] = path
        if package:
            DOMAIN_PACKAGES[package] = domain
    _module_domains.clear()
    translations.cache_clear()
    domain_translations.cache_clear()


def normalize(locale: str | None) -> str:
    """Map what a browser or user asks for onto a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    low = locale.replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def is_english(locale: str | None = None) -> bool:
    """Whether ``locale`` (default: the current one) reads English."""
    return (locale if locale is not None else current_locale.get()).lower().startswith("en")


def localized(zh: str, en: str | None, locale: str | None = None) -> str:
    """The Chinese or the English text for ``locale`` (default: the current one).

    English only when the locale is English and there is an English text; Chinese otherwise.
    """
    return en if en and is_english(locale) else zh


@cache
def translations(locale: str) -> NullTranslations:
    """Every compiled catalog (``*.mo``) of the core and the plugins for ``locale``, merged.

    Each area keeps its own ``.po`` file (``core/i18n/locale/zh_CN/LC_MESSAGES/<area>.po``,
    ``plugins/<key>/locale/...``), so parallel work never fights over one catalog.
    """
    merged: NullTranslations | None = None
    # Later merges win, so the core's catalogs go last: a plugin that translates a
    # message the core also uses cannot change how the core's pages read.
    for directory in reversed(LOCALE_DIRS):
        for mo_file in sorted((directory / locale / "LC_MESSAGES").glob("*.mo")):
            with mo_file.open("rb") as handle:
                catalog = Translations(fp=handle)
            if merged is None:
                merged = catalog
            else:
                merged.merge(catalog)  # type: ignore[attr-defined]
    return merged or NullTranslations()


@cache
def domain_translations(domain: str | None, locale: str) -> NullTranslations:
    """A plugin's own catalogs for ``locale``, falling back to the merged ones (``None``: merged)."""
    merged = translations(locale)
    directory = DOMAIN_DIRS.get(domain or "")
    if directory is None:
        return merged
    own: NullTranslations = NullTranslations()
    for mo_file in sorted((directory / locale / "LC_MESSAGES").glob("*.mo")):
        with mo_file.open("rb") as handle:
            catalog = Translations(fp=handle)
        if isinstance(own, Translations):
            own.merge(catalog)
        else:
            own = catalog
    own.add_fallback(merged)
    return own


def _domain_of_module(name: str) -> str | None:
    if name not in _module_domains:
        _module_domains[name] = next(
            (key for package, key in DOMAIN_PACKAGES.items() if name == package or name.startswith(package + ".")),
            None,
        )
    return _module_domains[name]


def _domain_of_template(name: str | None) -> str | None:
    first = (name or "").split("/", 1)[0]
    return first if first in DOMAIN_DIRS else None


def gettext(message: str, **variables: object) -> str:
    """Translate ``message`` into the current locale, then fill ``%(name)s`` variables.

    Called from a plugin's module, the plugin's own catalog is asked first.
    """
    domain = _domain_of_module(sys._getframe(1).f_globals.get("__name__", ""))
    text = domain_translations(domain, current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Translate with a plural form chosen by ``n``."""
    domain = _domain_of_module(sys._getframe(1).f_globals.get("__name__", ""))
    text = domain_translations(domain, current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


@pass_context
def template_gettext(context: Context, message: str) -> str:
    """``_()`` in templates: a plugin's templates (``<key>/…``) ask their plugin's catalog first."""
    return domain_translations(_domain_of_template(context.name), current_locale.get()).gettext(message)


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    """``ngettext()`` in templates, by domain like :func:`template_gettext`."""
    return domain_translations(_domain_of_template(context.name), current_locale.get()).ngettext(singular, plural, n)


class use_locale:  # noqa: N801 - used like a function: ``with use_locale("en"):``
    """Context manager that switches the current locale for a block."""

    def __init__(self, locale: str) -> None:
        self.locale = normalize(locale)
        self._token: contextvars.Token[str] | None = None

    def __enter__(self) -> str:
        self._token = current_locale.set(self.locale)
        return self.locale

    def __exit__(self, *_exc: object) -> None:
        if self._token is not None:
            current_locale.reset(self._token)


def babel_locale() -> Locale:
    """The Babel locale for the current locale."""
    return _parsed_locale(current_locale.get())


@lru_cache(maxsize=32)
def _parsed_locale(name: str) -> Locale:
    # Locale.parse normalizes and looks up the locale data on every call (~0.2 ms): a page
    # formatting a date per row paid it 100 times.
    return Locale.parse(name)


def format_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A date and time in the user's locale and the district's time zone (Asia/Shanghai)."""
    if value is None:
        return ""
    return _format_datetime(value, format=fmt, tzinfo=TIMEZONE, locale=babel_locale())


def format_date(value: date | datetime | None, fmt: str = "medium") -> str:
    """A date in the user's locale."""
    if value is None:
        return ""
    return _format_date(value, format=fmt, locale=babel_locale())


def format_number(value: int | float | Decimal) -> str:
    """A number with the locale's grouping."""
    return _format_decimal(value, locale=babel_locale())


def iter_locales() -> Iterator[tuple[str, str]]:
    """(code, native name) of every supported locale."""
    yield from LOCALES.items()
