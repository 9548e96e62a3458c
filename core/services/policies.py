"""Giving a district its default roles and policies, and a plugin's when it is enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from core.models import PolicyRule, Role
from core.plugins.asyncio import await_me_maybe
from core.rbac.enforcer import add_policy_rules, bump_policy_version, loads_deferred
from core.rbac.roles import CORE_POLICIES, DEFAULT_ROLES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District
    from core.plugins import PluginHost, PolicyDefault, RoleDef

__all__ = ("ensure_district_defaults", "ensure_plugin_roles_and_policies")


async def _ensure_roles(session: AsyncSession, district: District, roles: Iterable[RoleDef], plugin_key: str) -> None:
    existing = set((await session.execute(select(Role.key).where(Role.district_id == district.id))).scalars())
    rows: dict[str, dict[str, object]] = {}
    for role in roles:
        if role.key not in existing:
            rows.setdefault(
                role.key,
                {
                    "district_id": district.id,
                    "key": role.key,
                    "name_zh": role.name_zh,
                    "name_en": role.name_en,
                    "builtin": True,
                    "plugin_key": plugin_key,
                },
            )
    if rows:
        await session.execute(insert(Role), list(rows.values()))  # one statement (a district gets a dozen)


async def _ensure_policies(session: AsyncSession, district: District, policies: Iterable[PolicyDefault]) -> None:
    existing = set(
        (
            await session.execute(
                select(PolicyRule.subject, PolicyRule.resource, PolicyRule.action).where(
                    PolicyRule.district_id == district.id
                )
            )
        ).tuples()
    )
    missing = dict.fromkeys((rule.role, rule.resource, rule.action) for rule in policies)
    await add_policy_rules(session, district, (triple for triple in missing if triple not in existing))


async def ensure_district_defaults(session: AsyncSession, district: District) -> None:
    """Create the default roles, the core's default policies and its case types (idempotent)."""
    from core.cases.types import sync_shipped_types  # noqa: PLC0415 - cases build on rbac

    async with loads_deferred(session):  # the roles, then each case type's permissions: loaded once
        await _ensure_roles(session, district, DEFAULT_ROLES, "")
        await _ensure_policies(session, district, CORE_POLICIES)
        await session.flush()
        await bump_policy_version(session, district)
        await sync_shipped_types(session, district, None)


async def ensure_plugin_roles_and_policies(
    session: AsyncSession, district: District, host: PluginHost, key: str
) -> None:
    """Add a plugin's roles and default policies to a district (idempotent; admin edits kept)."""
    plugin = host.get(key)
    await _ensure_roles(session, district, plugin.manifest.roles, key)
    defaults = await await_me_maybe(host.call_for(key, "default_policies")) or []
    await _ensure_policies(session, district, defaults)
    await session.flush()
    await bump_policy_version(session, district)
