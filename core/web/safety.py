"""Small guards against common web mistakes."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

__all__ = ("local_path", "safe_next")


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def local_path(value: str) -> str | None:
    """``value`` if it is a path of this site (``/…``), else ``None``.

    Browsers read ``//host``, ``///host``, ``/\\host`` and ``\\\\host`` as another site, drop
    tabs and newlines anywhere and treat ``\\`` as ``/``; so any backslash, control character,
    scheme, host, or a leading ``//`` (also once percent-decoded) is refused.
    """
    if not value.startswith("/") or "\\" in value or _has_control(value):
        return None
    decoded = unquote(value)
    if "\\" in decoded or _has_control(decoded) or value.startswith("//") or decoded.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def safe_next(candidate: str | None, fallback: str | None = None) -> str:
    """A local path to go to after a form, never another site (open-redirect guard)."""
    for value in (candidate, fallback):
        if not value:
            continue
        path = value
        if value == fallback:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                # Referer is absolute: keep only its path and query.
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        found = local_path(path)
        if found is not None:
            return found
    return "/"
