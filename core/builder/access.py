"""Who may do what on a case type, as (role, action) pairs, and the change a new version makes.

Publishing from the builder makes the district's Casbin rules on ``case:<key>`` exactly
the definition's (rules are added and taken away), and the editor shows who would gain
or lose access before that happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from core.cases.types import grant_permissions
from core.models import PolicyRule
from core.rbac import bump_policy_version

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.casetypes.definition import CaseTypeDef
    from core.models import District

__all__ = ("access_changes", "access_losses", "pairs_of", "replace_permissions")


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def pairs_of(raw: Any) -> set[tuple[str, str]]:
    """``(role, action)`` granted by a definition in its YAML/JSON form (transitions as ``transition:<key>``)."""
    if not isinstance(raw, dict):
        return set()
    out: set[tuple[str, str]] = set()
    perms = raw.get("permissions") if isinstance(raw.get("permissions"), dict) else {}
    for action, roles in (perms or {}).items():
        out.update((role, str(action)) for role in _list(roles))
    workflow = raw.get("workflow") if isinstance(raw.get("workflow"), dict) else {}
    for t in (workflow or {}).get("transitions") or []:
        if isinstance(t, dict):
            out.update((role, f"transition:{t.get('key')}") for role in _list(t.get("roles")))
    return out


def access_changes(before: Any, after: Any) -> dict[str, dict[str, list[str]]]:
    """Per role, the actions it would gain and lose going from ``before`` to ``after``."""
    old, new = pairs_of(before), pairs_of(after)
    out: dict[str, dict[str, list[str]]] = {}
    for role, action in sorted(new - old):
        out.setdefault(role, {"gain": [], "lose": []})["gain"].append(action)
    for role, action in sorted(old - new):
        out.setdefault(role, {"gain": [], "lose": []})["lose"].append(action)
    return out


async def access_losses(session: AsyncSession, district: District, raw: Any) -> dict[str, list[str]]:
    """Per role, the rules on ``case:<key>`` that publishing ``raw`` would take away (what is really granted now)."""
    key = str(raw.get("key") or "") if isinstance(raw, dict) else ""
    wanted = pairs_of(raw)
    rows = await session.execute(
        select(PolicyRule.subject, PolicyRule.action)
        .where(PolicyRule.district_id == district.id, PolicyRule.resource == f"case:{key}")
        .order_by(PolicyRule.subject, PolicyRule.action)
    )
    out: dict[str, list[str]] = {}
    for subject, action in rows.tuples():
        if (subject, action) not in wanted and action not in out.get(subject, []):
            out.setdefault(str(subject), []).append(str(action))
    return out


async def replace_permissions(session: AsyncSession, district: District, definition: CaseTypeDef) -> None:
    """Make the rules on ``case:<key>`` exactly the definition's: grant what is missing, revoke the rest."""
    wanted = pairs_of(definition.to_dict())
    rows = (
        await session.execute(
            select(PolicyRule).where(PolicyRule.district_id == district.id, PolicyRule.resource == definition.resource)
        )
    ).scalars()
    stale = [r.id for r in rows if (r.subject, r.action) not in wanted]
    if stale:
        await session.execute(delete(PolicyRule).where(PolicyRule.id.in_(stale)))
        await session.flush()
        await bump_policy_version(session, district)
    await grant_permissions(session, district, [definition])
