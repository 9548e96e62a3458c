"""What can go wrong when working a case, as exceptions the web and the API turn into answers."""

from __future__ import annotations

from typing import Any

from core.refusal import Refusal

__all__ = ("CaseError", "InvalidData", "StaleCase", "TransitionRefused")


class CaseError(Refusal):
    """Base: a message for the user (already translated) and an HTTP status."""

    status_code = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.message = message
        self.extra = extra


class InvalidData(CaseError):
    """Form input that does not validate; ``errors`` maps field path → message."""

    status_code = 400

    def __init__(self, message: str, errors: dict[str, str]) -> None:
        super().__init__(message, errors=errors)
        self.errors = errors


class StaleCase(CaseError):
    """Someone changed the case since the editor loaded it; ``changes`` says what, who and when."""

    status_code = 409

    def __init__(self, message: str, changes: list[dict[str, Any]], current_version: int) -> None:
        super().__init__(message, changes=changes, lock_version=current_version)
        self.changes = changes
        self.current_version = current_version


class TransitionRefused(CaseError):
    """A transition the workflow, a guard or a plugin refused; ``reason`` is shown to the user."""

    status_code = 409
