"""Errors the service layer raises: a clear, translated message and, for forms, the field."""

from __future__ import annotations

from core.refusal import Refusal

__all__ = ("MAX_NAME", "ConflictError", "NotFoundError", "ServiceError", "check_names", "raise_if")

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
