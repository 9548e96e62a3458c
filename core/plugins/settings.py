"""Validating a district's settings for a plugin against the manifest's JSON Schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsonschema

if TYPE_CHECKING:
    from core.plugins.manifest import Manifest

__all__ = ("SettingsError", "validate_settings")


class SettingsError(ValueError):
    """Settings that do not match the plugin's schema; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate_settings(manifest: Manifest, settings: dict[str, Any]) -> dict[str, Any]:
    """Return ``settings`` with defaults filled in, or raise :class:`SettingsError`."""
    merged = {**manifest.default_settings(), **settings}
    validator = jsonschema.Draft202012Validator(manifest.settings_schema)
    errors: dict[str, str] = {}
    for error in validator.iter_errors(merged):
        field = ".".join(str(p) for p in error.path) or "_"
        errors.setdefault(field, f"设置无效 / invalid setting: {error.message}")
    if errors:
        raise SettingsError(errors)
    return merged
