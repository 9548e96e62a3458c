"""Small guards against common web mistakes."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ("safe_next",)


def safe_next(candidate: str | None, fallback: str | None = None) -> str:
    """A local path to go to after a form, never another site (open-redirect guard)."""
    for value in (candidate, fallback):
        if not value:
            continue
        parts = urlsplit(value)
        path = parts.path or "/"
        if (parts.scheme or parts.netloc) and fallback is not None and value == fallback:
            # Referer is absolute: keep only its path and query.
            return path + (f"?{parts.query}" if parts.query else "")
        if not parts.scheme and not parts.netloc and path.startswith("/") and not path.startswith("//"):
            return value
    return "/"
