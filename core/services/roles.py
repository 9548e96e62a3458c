"""Roles of a district and the permissions each one has (Casbin ``p`` rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from core.i18n import gettext as _
from core.i18n import localized
from core.models import Membership, PolicyRule, Role
from core.plugins.host import CORE_KEY
from core.rbac import bump_policy_version
from core.refusal import ConflictError, NotFoundError, ServiceError, check_names, raise_if

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District
    from core.plugins import PluginHost
    from core.plugins.manifest import Permission

__all__ = (
    "ADMINISTRATION",
    "NeedsConfirmation",
    "PermissionGroup",
    "create_role",
    "delete_role",
    "get_role",
    "list_roles",
    "permission_groups",
    "permissions_of",
    "rename_role",
    "role_usage",
    "set_permissions",
)

ROLE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass
class PermissionGroup:
    """The permissions one module (the core or a plugin) defines, for the role editor."""

    key: str
    name_zh: str
    name_en: str
    permissions: list[Permission] = field(default_factory=list)

    def name(self, locale: str) -> str:
        """The module's name in ``locale``."""
        return localized(self.name_zh, self.name_en, locale)


def permission_groups(host: PluginHost) -> list[PermissionGroup]:
    """Every permission the core and the installed plugins declare, grouped by module."""
    groups = []
    for key in [CORE_KEY, *sorted(k for k in host.installed if k != CORE_KEY)]:
        manifest = host.installed[key].manifest
        if manifest.permissions:
            groups.append(PermissionGroup(key, manifest.name_zh, manifest.name_en, list(manifest.permissions)))
    return groups


async def list_roles(session: AsyncSession, district: District) -> list[Role]:
    """The district's roles: built-in ones first, then by key."""
    rows = await session.execute(
        select(Role).where(Role.district_id == district.id).order_by(Role.builtin.desc(), Role.plugin_key, Role.id)
    )
    return list(rows.scalars())


async def role_usage(session: AsyncSession, district: District) -> dict[str, int]:
    """How many memberships use each role key."""
    rows = await session.execute(
        select(Membership.role_key, func.count())
        .where(Membership.district_id == district.id)
        .group_by(Membership.role_key)
    )
    return dict(rows.tuples().all())


async def get_role(session: AsyncSession, district: District, key: str) -> Role:
    """The role ``key`` of ``district`` or :class:`NotFoundError`."""
    role = (
        await session.execute(select(Role).where(Role.district_id == district.id, Role.key == key))
    ).scalar_one_or_none()
    if role is None:
        raise NotFoundError(_("There is no such role in this district."), "role")
    return role


async def create_role(session: AsyncSession, district: District, *, key: str, name_zh: str, name_en: str = "") -> Role:
    """Add a role made by the district (no permissions until some are given)."""
    key, name_zh, name_en = (key or "").strip(), (name_zh or "").strip(), (name_en or "").strip()
    errors: dict[str, str] = {}
    if not ROLE_KEY_RE.match(key):
        errors["key"] = _("The key must be 2 to 64 lowercase letters, digits or '_', starting with a letter.")
    check_names(name_zh, name_en, errors)
    raise_if(errors)
    exists = (await session.execute(select(Role.id).where(Role.district_id == district.id, Role.key == key))).first()
    if exists:
        raise ConflictError(_("A role with key %(key)s already exists.", key=key), "key")
    role = Role(district_id=district.id, key=key, name_zh=name_zh, name_en=name_en, builtin=False)
    session.add(role)
    await session.flush()
    return role


async def rename_role(session: AsyncSession, district: District, key: str, *, name_zh: str, name_en: str = "") -> Role:
    """Change a role's names (its key stays: memberships and rules refer to it)."""
    role = await get_role(session, district, key)
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    errors: dict[str, str] = {}
    check_names(name_zh, name_en, errors)
    raise_if(errors)
    role.name_zh, role.name_en = name_zh, name_en
    await session.flush()
    return role


async def delete_role(session: AsyncSession, district: District, key: str) -> None:
    """Delete a role the district made, once no membership uses it."""
    role = await get_role(session, district, key)
    if role.builtin:
        raise ConflictError(_("Built-in roles cannot be deleted."), "role")
    used = (await role_usage(session, district)).get(key, 0)
    if used:
        raise ConflictError(
            _("The role %(name)s is still given to %(n)s memberships; remove them first.", name=role.name_zh, n=used),
            "role",
        )
    await session.execute(delete(PolicyRule).where(PolicyRule.district_id == district.id, PolicyRule.subject == key))
    await session.delete(role)
    await session.flush()
    await bump_policy_version(session, district)


async def permissions_of(session: AsyncSession, district: District, key: str) -> set[tuple[str, str]]:
    """The (resource, action) pairs the role has in ``district``."""
    rows = await session.execute(
        select(PolicyRule.resource, PolicyRule.action).where(
            PolicyRule.district_id == district.id, PolicyRule.subject == key
        )
    )
    return set(rows.tuples())


# Whoever holds these can give every other permission back: the district must always have
# a role with them (else only a platform admin could repair it).
ADMINISTRATION: tuple[tuple[str, str], ...] = (("district", "admin"), ("roles", "manage"))


class NeedsConfirmation(ServiceError):
    """The change takes permissions away from a role: it is made only when confirmed."""

    status_code = 409

    def __init__(self, message: str, removed: list[tuple[str, str]]) -> None:
        super().__init__(message, "permissions")
        self.removed = removed


async def _last_holders(session: AsyncSession, district: District, key: str, losing: set[tuple[str, str]]) -> list[str]:
    """Of the administration permissions ``key`` would lose, those no other role of the district has."""
    alone = []
    for resource, action in ADMINISTRATION:
        if (resource, action) not in losing:
            continue
        others = await session.execute(
            select(PolicyRule.id)
            .where(
                PolicyRule.district_id == district.id,
                PolicyRule.subject != key,
                PolicyRule.resource == resource,
                PolicyRule.action == action,
            )
            .limit(1)
        )
        if others.first() is None:
            alone.append(f"{resource}:{action}")
    return alone


async def set_permissions(
    session: AsyncSession,
    district: District,
    host: PluginHost,
    key: str,
    permissions: Iterable[tuple[str, str]],
    *,
    confirmed: bool = True,
) -> set[tuple[str, str]]:
    """Replace the role's permissions by ``permissions`` (each must be declared by a module).

    Taking permissions away needs ``confirmed=True`` (else :class:`NeedsConfirmation`
    naming them, nothing changed); the last role of the district that administers it
    (``district:admin``, ``roles:manage``) can't lose that. Returns the permissions the
    role now has among those the modules declare.
    """
    await get_role(session, district, key)
    known = {(p.resource, p.action) for g in permission_groups(host) for p in g.permissions}
    existing = await permissions_of(session, district, key)
    # Rules on permissions no module's manifest declares (an uninstalled plugin's, a case
    # type's) are not shown in the editor: they are kept as they are, and may be named.
    wanted = set(permissions) - (existing - known)
    unknown = sorted(wanted - known)
    if unknown:
        text = ", ".join(f"{r}:{a}" for r, a in unknown)
        raise ServiceError(_("Unknown permissions: %(list)s.", list=text), "permissions")
    current = existing & known
    if current == wanted:
        return wanted
    removed = current - wanted
    alone = await _last_holders(session, district, key, removed) if removed else []
    if alone:
        raise ConflictError(
            _(
                "No other role of the district holds %(list)s: it can't be taken from this role, "
                "or nobody could administer the district. Give it to another role first.",
                list=", ".join(alone),
            ),
            "permissions",
        )
    if removed and not confirmed:
        raise NeedsConfirmation(
            _("This takes %(n)s permissions away from the role. Confirm to save.", n=len(removed)), sorted(removed)
        )
    for resource, action in current - wanted:
        await session.execute(
            delete(PolicyRule).where(
                PolicyRule.district_id == district.id,
                PolicyRule.subject == key,
                PolicyRule.resource == resource,
                PolicyRule.action == action,
            )
        )
    for resource, action in sorted(wanted - current):
        session.add(PolicyRule(district_id=district.id, subject=key, resource=resource, action=action))
    await session.flush()
    await bump_policy_version(session, district)
    return wanted
    for resource, action in current - wanted:
        await session.execute(
            delete(PolicyRule).where(
                PolicyRule.district_id == district.id,
                PolicyRule.subject == key,
                PolicyRule.resource == resource,
                PolicyRule.action == action,
            )
        )
    for resource, action in sorted(wanted - current):
        session.add(PolicyRule(district_id=district.id, subject=key, resource=resource, action=action))
    await session.flush()
    await bump_policy_version(session, district)
    return wanted
