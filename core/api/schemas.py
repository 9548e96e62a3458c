"""Request and response bodies of the core's admin API (msgspec Structs, documented in /schema)."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from core.api.text import Code, Name

__all__ = (
    "DistrictIn",
    "DistrictOut",
    "MembershipIn",
    "MembershipOut",
    "OrgUnitIn",
    "OrgUnitOut",
    "OrgUnitPatch",
    "PluginOut",
    "PluginPatch",
    "UserIn",
    "UserOut",
)


class DistrictOut(msgspec.Struct):
    """A district (tenant)."""

    id: int
    code: str
    name_zh: str
    name_en: str
    ref_prefix: str


class DistrictIn(msgspec.Struct):
    """A new district (platform admins only)."""

    code: Code
    name_zh: Name
    name_en: Name = ""
    ref_prefix: Code = ""


class OrgUnitOut(msgspec.Struct):
    """An org unit; ``depth`` is its level in the tree (0 at the top)."""

    id: int
    code: str
    kind: str
    name_zh: str
    name_en: str
    parent_id: int | None
    depth: int = 0


class OrgUnitIn(msgspec.Struct):
    """A new org unit: street, community (under a street), estate (under a community) …"""

    code: Code
    name_zh: Name
    kind: Code
    parent_id: int | None = None
    name_en: Name = ""


class OrgUnitPatch(msgspec.Struct):
    """Changes to an org unit; a field left out stays as it is (``parent_id: null`` = top level)."""

    name_zh: Name | UnsetType = UNSET
    name_en: Name | UnsetType = UNSET
    parent_id: int | UnsetType | None = UNSET


class MembershipOut(msgspec.Struct):
    """A user's role in the district, optionally limited to an org unit."""

    id: int
    user_id: int
    username: str
    role: str
    org_unit_id: int | None


class MembershipIn(msgspec.Struct):
    """Give a user of the district a role (``user_id`` or ``username``)."""

    role: Code
    user_id: int | None = None
    username: Code | None = None
    org_unit_id: int | None = None


class UserOut(msgspec.Struct):
    """A user of the district with their roles there."""

    id: int
    username: str
    display_name: str
    is_active: bool
    memberships: list[MembershipOut] = msgspec.field(default_factory=list)


class UserIn(msgspec.Struct):
    """A new user with a first role in the district."""

    username: Code
    password: Code
    role: Code
    display_name: Name = ""
    email: Code = ""
    phone: Code = ""
    org_unit_id: int | None = None


class PluginOut(msgspec.Struct):
    """An installed module as the district sees it."""

    key: str
    name_zh: str
    name_en: str
    version: str
    description_zh: str
    description_en: str
    depends_on: list[str]
    enabled: bool
    settings: dict[str, Any]
    settings_schema: dict[str, Any]


class PluginPatch(msgspec.Struct):
    """Switch a module on/off and/or change its settings (validated against its schema)."""

    enabled: bool | UnsetType = UNSET
    settings: dict[str, Any] | UnsetType = UNSET
