"""Translations (Babel/gettext) and locale-aware formatting.

The current locale lives in a context variable set once per request, so the same
``gettext`` serves Python code, Jinja templates and error messages. Message ids are
English; the zh_CN catalog must translate every one (a test checks it), and zh_CN is
the default.
"""

from __future__ import annotations

import contextvars
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

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date, datetime

__all__ = (
    "DEFAULT_LOCALE",
    "LOCALES",
    "current_locale",
    "format_date",
    "format_datetime",
    "format_number",
    "gettext",
    "ngettext",
    "use_locale",
)

DEFAULT_LOCALE = "zh_CN"
LOCALES = {"zh_CN": "中文", "en": "English"}
TIMEZONE = ZoneInfo("Asia/Shanghai")
LOCALE_DIRS: list[Path] = [Path(__file__).parent / "locale"]

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("sanshe_locale", default=DEFAULT_LOCALE)


def add_locale_dir(path: Path) -> None:
    """Let a plugin's ``locale/`` catalogs take part (called at start-up)."""
    if path not in LOCALE_DIRS:
        LOCALE_DIRS.append(path)
        translations.cache_clear()


def normalize(locale: str | None) -> str:
    """Map what a browser or user asks for onto a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    low = locale.replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


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


def gettext(message: str, **variables: object) -> str:
    """Translate ``message`` into the current locale, then fill ``%(name)s`` variables."""
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Translate with a plural form chosen by ``n``."""
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


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
