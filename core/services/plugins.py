"""Modules (installed plugins) of a district: list, enable, disable, settings.

Wraps :mod:`core.services.enablement` (which holds the dependency rules) and turns a
manifest's JSON Schema into form fields, coercing submitted text to the schema's types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.i18n import gettext as _
from core.i18n import is_english
from core.models import District, DistrictPlugin
from core.plugins.enabled import enabled_keys, plugin_settings
from core.plugins.host import CORE_KEY, PluginError
from core.plugins.settings import SettingsError, validate_settings
from core.refusal import NotFoundError, ServiceError
from core.services.enablement import disable_plugin, enable_plugin

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins import PluginHost
    from core.plugins.host import InstalledPlugin

__all__ = (
    "ModuleRow",
    "SettingField",
    "coerce_settings",
    "districts_enabled",
    "get_module",
    "list_modules",
    "set_enabled",
    "setting_fields",
    "update_settings",
)


@dataclass
class SettingField:
    """One form field generated from a property of the settings schema."""

    name: str
    kind: str  # "string" | "integer" | "number" | "boolean" | "enum"
    label: str
    description: str = ""
    required: bool = False
    choices: list[Any] = field(default_factory=list)
    default: Any = None


@dataclass
class ModuleRow:
    """An installed plugin as a district sees it."""

    plugin: InstalledPlugin
    enabled: bool
    settings: dict[str, Any]

    @property
    def manifest(self) -> Any:
        return self.plugin.manifest


# "中文 / English": the slash after a space or a Chinese character, before a Latin letter ("A/B" stays whole).
_HALVES = re.compile(r"(?:\s+|(?<=[^\x00-\x7f]))/\s*(?=[A-Za-z])")


def _label(prop: Mapping[str, Any], name: str, locale: str) -> str:
    """The setting's label in the page's language: ``title_zh``/``title_en``, else that half of ``"中文 / English"``."""
    title = str(prop.get("title") or name)
    halves = _HALVES.split(title, maxsplit=1)
    zh, en = (halves[0], halves[1]) if len(halves) == 2 else (title, title)
    if is_english(locale):
        return str(prop.get("title_en") or en)
    return str(prop.get("title_zh") or zh)


def setting_fields(plugin: InstalledPlugin, locale: str = "zh_CN") -> list[SettingField]:
    """Form fields for the plugin's settings schema (string/integer/number/boolean/enum)."""
    schema = plugin.manifest.settings_schema
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        kind = "enum" if "enum" in prop else str(prop.get("type", "string"))
        if kind not in {"string", "integer", "number", "boolean", "enum"}:
            kind = "string"
        description = prop.get("description_en" if is_english(locale) else "description_zh") or prop.get(
            "description", ""
        )
        fields.append(
            SettingField(
                name=name,
                kind=kind,
                label=_label(prop, name, locale),
                description=str(description),
                required=name in required,
                choices=list(prop.get("enum", [])),
                default=prop.get("default"),
            )
        )
    return fields


def coerce_settings(plugin: InstalledPlugin, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn submitted text (a form, ``--setting k=v``) into typed values; return (values, errors)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    props = plugin.manifest.settings_schema.get("properties", {})
    for name, prop in props.items():
        kind = prop.get("type", "string")
        value = raw.get(name)
        if kind == "boolean":
            if isinstance(value, bool):
                values[name] = value
            elif value is not None:
                values[name] = str(value).strip().lower() in {"1", "true", "on", "yes", "y", "是"}
            elif raw.get("_form"):
                values[name] = False  # an unchecked checkbox sends nothing
            continue
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue
        if kind in {"integer", "number"} and isinstance(value, str):
            try:
                values[name] = int(value.strip()) if kind == "integer" else float(value.strip())
            except ValueError:
                errors[name] = _("Enter a whole number.") if kind == "integer" else _("Enter a number.")
            continue
        if "enum" in prop and isinstance(value, str):
            match = [c for c in prop["enum"] if str(c) == value]
            values[name] = match[0] if match else value
            continue
        values[name] = value
    unknown = [k for k in raw if k not in props and not k.startswith("_")]
    for name in unknown:
        errors[name] = _("There is no setting called %(name)s.", name=name)
    return values, errors


def get_module(host: PluginHost, key: str) -> InstalledPlugin:
    """The installed plugin ``key`` (not the core), or :class:`NotFoundError`."""
    plugin = host.installed.get(key)
    if plugin is None or key == CORE_KEY:
        raise NotFoundError(_("There is no module called %(key)s.", key=key), "key")
    return plugin


async def list_modules(session: AsyncSession, district: District, host: PluginHost) -> list[ModuleRow]:
    """Every installed plugin with whether the district has it on, and its settings there."""
    enabled = await enabled_keys(session, district, host)
    return [ModuleRow(p, p.key in enabled, await plugin_settings(session, district, host, p.key)) for p in host.plugins]


async def set_enabled(
    session: AsyncSession,
    district: District,
    host: PluginHost,
    key: str,
    *,
    enabled: bool,
    settings: Mapping[str, Any] | None = None,
) -> bool:
    """Switch a module on or off; returns whether anything changed (refusals raise ServiceError)."""
    plugin = get_module(host, key)
    typed: dict[str, Any] | None = None
    if settings is not None:
        typed, errors = coerce_settings(plugin, settings)
        if errors:
            raise ServiceError(next(iter(errors.values())), errors=errors)
    was = key in await enabled_keys(session, district, host)
    try:
        if enabled:
            if was and typed is None:
                return False
            if typed is not None:
                typed = {**await plugin_settings(session, district, host, key), **typed}
            await enable_plugin(session, district, host, key, typed)
        else:
            if not was:
                return False
            await disable_plugin(session, district, host, key)
    except SettingsError as exc:
        raise ServiceError(next(iter(exc.errors.values())), errors=exc.errors) from exc
    except PluginError as exc:
        raise ServiceError(str(exc), "enabled") from exc
    return True


async def update_settings(
    session: AsyncSession, district: District, host: PluginHost, key: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate and save the district's settings for a module (enabled or not)."""
    plugin = get_module(host, key)
    typed, errors = coerce_settings(plugin, raw)
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    try:
        clean = validate_settings(plugin.manifest, typed)
    except SettingsError as exc:
        raise ServiceError(next(iter(exc.errors.values())), errors=exc.errors) from exc
    row = (
        await session.execute(
            select(DistrictPlugin).where(DistrictPlugin.district_id == district.id, DistrictPlugin.plugin_key == key)
        )
    ).scalar_one_or_none()
    if row is None:
        row = DistrictPlugin(district_id=district.id, plugin_key=key, enabled=False, settings={})
        session.add(row)
    row.settings = clean
    await session.flush()
    return clean


async def districts_enabled(session: AsyncSession) -> dict[str, list[str]]:
    """Plugin key → codes of the districts where it is enabled (for ``sanshe plugins list``)."""
    rows = await session.execute(
        select(DistrictPlugin.plugin_key, District.code)
        .join(District, District.id == DistrictPlugin.district_id)
        .where(DistrictPlugin.enabled.is_(True))
        .order_by(District.code)
    )
    out: dict[str, list[str]] = {}
    for key, code in rows.tuples():
        out.setdefault(key, []).append(code)
    return out
