"""One base class for every refusal a service raises: a message in Chinese and English, errors by field, a status.

The domain layer (services, ledger, votes, case engine, plugins' services) raises a
:class:`Refusal` subclass — never a Litestar exception — and nothing has been written.
Pages turn it into the form's errors (:func:`core.web.pages.attempt`); the app's
exception handler turns an uncaught one into a 4xx page or a JSON body
``{"status_code", "detail"}`` (with ``"errors"`` by field when it names fields).
"""

from __future__ import annotations

from typing import Any

from core.i18n import localized

__all__ = (
    "MAX_NAME",
    "ConflictError",
    "Forbidden",
    "NotFound",
    "NotFoundError",
    "Refusal",
    "ServiceError",
    "check_names",
    "raise_if",
)


class Refusal(Exception):
    """A refused operation; nothing was written.

    ``zh`` and ``en`` are the message in each language (``en`` defaults to ``zh`` for a
    message translated where it was raised); ``errors`` maps a field name to its message
    (``"_"`` when no field is to blame); ``status_code`` is the HTTP status (4xx).
    """

    status_code: int = 400

    def __init__(
        self,
        zh: str,
        en: str | None = None,
        *,
        errors: dict[str, str] | None = None,
        status_code: int | None = None,
        **details: Any,
    ) -> None:
        self.zh = zh
        self.en = en or zh
        self.message = zh if self.en == zh else f"{zh} / {self.en}"
        self.errors: dict[str, str] = dict(errors or {})
        self.details = details
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.message)

    def text(self, locale: str | None = None) -> str:
        """The message in ``locale`` (default: the current one)."""
        return localized(self.zh, self.en, locale)

    def lines(self, locale: str | None = None) -> str:
        """The message followed by each field's message (for a notice on the next page)."""
        text = self.text(locale)
        extra = [msg for msg in self.errors.values() if msg and msg != text]
        return f"{text} " + "；".join(extra) if extra else text


class NotFound(Refusal):
    """No such object in this district (never says whether it exists elsewhere)."""

    status_code = 404


class Forbidden(Refusal):
    """The user may not do this."""

    status_code = 403


# The service layer's refusals of a form: a message per field (``"_"`` when no field is to blame).

MAX_NAME = 100


class ServiceError(Refusal, ValueError):
    """Bad input or a refused change; nothing was written.

    ``errors`` maps a field name to its message (``"_"`` when no field is to blame), so
    pages show the message next to the field and the API returns it per field.
    """

    status_code = 400

    def __init__(self, message: str, field: str = "_", errors: dict[str, str] | None = None) -> None:
        super().__init__(message, errors=errors or {field: message})

    def describe(self) -> str:
        """Every message, one per line, prefixed by its field (for the command line)."""
        return "\n".join(msg if name == "_" else f"{name}: {msg}" for name, msg in self.errors.items())


class NotFoundError(ServiceError):
    """The object does not exist in this district (never says whether it exists elsewhere)."""

    status_code = 404


class ConflictError(ServiceError):
    """The change conflicts with what exists (a duplicate code, a role in use ...)."""

    status_code = 409


def check_names(name_zh: str, name_en: str, errors: dict[str, str]) -> None:
    """Add messages to ``errors`` when the Chinese name is missing or a name is too long."""
    from core.i18n import gettext as _  # noqa: PLC0415 - keep this module import-light

    if not name_zh:
        errors["name_zh"] = _("The Chinese name is required.")
    elif len(name_zh) > MAX_NAME:
        errors["name_zh"] = _("The name is too long (at most 100 characters).")
    if len(name_en) > MAX_NAME:
        errors["name_en"] = _("The name is too long (at most 100 characters).")


def raise_if(errors: dict[str, str]) -> None:
    """Raise a :class:`ServiceError` carrying ``errors`` when there are any."""
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
