"""What a plugin declares about itself, and the small records hooks return."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.i18n import localized

__all__ = (
    "ExportColumn",
    "Manifest",
    "NavItem",
    "Panel",
    "Permission",
    "PolicyDefault",
    "QueueLink",
    "RoleDef",
    "Widget",
)

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Permission:
    """An action the plugin adds on a resource, e.g. ``("notices", "manage")``."""

    resource: str
    action: str
    label_zh: str
    label_en: str = ""


@dataclass(frozen=True)
class RoleDef:
    """A role the plugin adds to every district that enables it."""

    key: str
    name_zh: str
    name_en: str = ""


@dataclass(frozen=True)
class PolicyDefault:
    """A default rule: ``role`` may do ``action`` on ``resource``."""

    role: str
    resource: str
    action: str


@dataclass(frozen=True)
class Manifest:
    """A plugin's declaration of itself (compare Decidim's ``component.rb``).

    ``settings_schema`` is a JSON Schema object; the modules page renders a form from
    it and validates a district's settings against it before saving.
    """

    key: str
    name_zh: str
    name_en: str
    version: str
    description_zh: str = ""
    description_en: str = ""
    depends_on: tuple[str, ...] = ()
    permissions: tuple[Permission, ...] = ()
    roles: tuple[RoleDef, ...] = ()
    settings_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})

    def __post_init__(self) -> None:
        if not KEY_RE.match(self.key):
            msg = f"插件键无效 / invalid plugin key {self.key!r}: use lowercase letters, digits and _"
            raise ValueError(msg)

    def name(self, locale: str) -> str:
        """The plugin's name in ``locale``."""
        return localized(self.name_zh, self.name_en, locale)

    def default_settings(self) -> dict[str, Any]:
        """Settings with every default the schema gives."""
        props = self.settings_schema.get("properties", {})
        return {k: v["default"] for k, v in props.items() if "default" in v}


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation. ``permission`` hides it from users who lack it."""

    label: str
    href: str
    icon: str = ""
    order: int = 100
    permission: tuple[str, str] | None = None
    group: str = "main"


@dataclass(frozen=True)
class Widget:
    """A dashboard widget: a template (and optional block) rendered with ``context``."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    width: str = "half"


@dataclass(frozen=True)
class Panel:
    """A panel on the case page or an organization's profile: a template rendered with ``context``
    (and ``ctx``, plus ``case`` or ``organization``)."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class QueueLink:
    """A queue in the sidebar: a label and the queue filters it applies (URL query parameters)."""

    key: str
    label: str
    filters: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class ExportColumn:
    """An extra export column: a header and a function of the case giving the cell."""

    key: str
    label: str
    value: Callable[[Any], Any]
