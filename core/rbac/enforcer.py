"""Per-district Casbin enforcers, cached per process and reloaded when the district's
``policy_version`` changes; decisions cached per (user, resource, action).

Measured here (pycasbin 2.8): one plain Enforcer over every district costs tens of ms
per check; one enforcer per district plus a decision cache answers in microseconds.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import casbin
from sqlalchemy import insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from core.models import District, Membership, PolicyRule

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    from core.models import User

__all__ = (
    "add_policy_rules",
    "authorize",
    "bump_in_flush",
    "bump_policy_version",
    "ensure_loaded",
    "invalidate",
    "loads_deferred",
    "policies_moved",
    "role_authorized",
    "subject_of",
)

MODEL_PATH = Path(__file__).with_name("model.conf")
_model_text = MODEL_PATH.read_text()


@dataclass
class _Loaded:
    version: int
    enforcer: casbin.Enforcer
    decisions: dict[tuple[int | str, str, str], bool] = field(default_factory=dict)


# Per district, the enforcers of its recent policy versions (newest last). A request keeps
# deciding with the version it loaded while another request of this process loads a newer
# one: a reload only ever adds a version, so there is no moment without policies.
_enforcers: dict[int, dict[int, _Loaded]] = {}
_KEEP_VERSIONS = 4


def _store(district_id: int, loaded: _Loaded) -> None:
    versions = dict(_enforcers.get(district_id, {}))  # a new dict: readers never see one half-changed
    versions.pop(loaded.version, None)
    versions[loaded.version] = loaded
    while len(versions) > _KEEP_VERSIONS:
        versions.pop(next(iter(versions)))
    _enforcers[district_id] = versions


def _loaded(district_id: int, version: int) -> _Loaded | None:
    return _enforcers.get(district_id, {}).get(version)


def _newer(district_id: int, version: int) -> _Loaded | None:
    """The newest loaded version after ``version``: when a burst of policy changes (eight accounts
    created at once) pushed the version a request loaded out of the cache, it decides with the
    newer rules instead of failing (a 500 in tests/test_races.py on PostgreSQL)."""
    newer = [v for v in _enforcers.get(district_id, {}) if v > version]
    return _enforcers[district_id][max(newer)] if newer else None


def subject_of(user_id: int) -> str:
    """The Casbin subject for a user (roles are plain role keys)."""
    return f"u:{user_id}"


def _new_enforcer() -> casbin.Enforcer:
    model = casbin.Enforcer.new_model(text=_model_text)
    return casbin.Enforcer(model)


async def ensure_loaded(session: AsyncSession, district: District) -> None:
    """Load (or reload, if its version moved) the enforcer of ``district`` from the database."""
    if _loaded(district.id, district.policy_version) is not None:
        return
    version = district.policy_version
    rules = (
        await session.execute(
            select(PolicyRule.subject, PolicyRule.resource, PolicyRule.action).where(
                PolicyRule.district_id == district.id
            )
        )
    ).all()
    members = (
        await session.execute(
            select(Membership.user_id, Membership.role_key).where(Membership.district_id == district.id)
        )
    ).all()
    enforcer = _new_enforcer()
    if rules:
        enforcer.add_policies([[sub, district.code, obj, act] for sub, obj, act in rules])
    if members:
        enforcer.add_grouping_policies([[subject_of(uid), role, district.code] for uid, role in set(members)])
    _store(district.id, _Loaded(version, enforcer))


def authorize(user: User, district: District, resource: str, action: str) -> bool:
    """Whether ``user`` may do ``action`` on ``resource`` in ``district``.

    Platform admins may do everything. The district's enforcer must have been loaded
    by :func:`ensure_loaded` (the request context does it once per request).
    """
    if not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    loaded = _loaded(district.id, district.policy_version) or _newer(district.id, district.policy_version)
    if loaded is None:
        msg = f"policies of district {district.code} are not loaded; await ensure_loaded() first"
        raise RuntimeError(msg)
    key = (user.id, resource, action)
    decision = loaded.decisions.get(key)
    if decision is None:
        decision = bool(loaded.enforcer.enforce(subject_of(user.id), district.code, resource, action))
        loaded.decisions[key] = decision
    return decision


def role_authorized(district: District, role: str, resource: str, action: str) -> bool:
    """Whether the district's policies give ``role`` itself ``action`` on ``resource`` (loaded enforcer)."""
    loaded = _loaded(district.id, district.policy_version) or _newer(district.id, district.policy_version)
    if loaded is None:
        msg = f"policies of district {district.code} are not loaded; await ensure_loaded() first"
        raise RuntimeError(msg)
    key = (f"role:{role}", resource, action)
    decision = loaded.decisions.get(key)
    if decision is None:
        decision = bool(loaded.enforcer.enforce(role, district.code, resource, action))
        loaded.decisions[key] = decision
    return decision


def policies_moved(district_id: int, old: int, new: int) -> None:
    """The district's ``policy_version`` moved from ``old`` to ``new`` without a change of its rules.

    (A case-type version was stored: the caches keyed on the version must reload, the
    rules did not change.) The loaded enforcer, if it was ``old``'s, stays valid for ``new``.
    """
    loaded = _loaded(district_id, old)
    if loaded is not None:
        _store(district_id, _Loaded(new, loaded.enforcer, loaded.decisions))


def bump_in_flush(connection: Connection, session: Session | None, district_id: int) -> None:
    """Bump the district's ``policy_version`` from inside a flush (a mapper event), rules unchanged.

    For per-process caches keyed on the version (case types, the org-unit tree): the
    other processes reload on their next request; this one's copy of the district (in
    ``session``) and its loaded policies follow at once.
    """
    version = connection.execute(
        update(District)
        .where(District.id == district_id)
        .values(policy_version=District.policy_version + 1)
        .returning(District.policy_version)
    ).scalar_one()
    policies_moved(district_id, version - 1, version)
    district = session.identity_map.get(identity_key(District, district_id)) if session is not None else None
    if district is not None:
        set_committed_value(district, "policy_version", version)


def invalidate(district_id: int | None = None) -> None:
    """Drop cached enforcers (all, or one district's) in this process."""
    if district_id is None:
        _enforcers.clear()
    else:
        _enforcers.pop(district_id, None)


# In a session's info while a loads_deferred block is open: the districts whose rules changed in it.
_DEFERRED = "sanshe_policy_loads_deferred"


async def add_policy_rules(session: AsyncSession, district: District, rules: Iterable[tuple[str, str, str]]) -> bool:
    """Insert ``(subject, resource, action)`` rules into the district in one statement; whether there were any.

    The caller has left out the rules the district has, and bumps the policy version
    (:func:`bump_policy_version`) when it is done. One executemany, no ORM objects: a new
    district gets about 120 rules, and one INSERT each was most of making it on SQLite.
    """
    rows = [{"district_id": district.id, "subject": s, "resource": r, "action": a} for s, r, a in rules]
    if rows:
        await session.execute(insert(PolicyRule), rows)
    return bool(rows)


async def bump_policy_version(session: AsyncSession, district: District, *, load: bool = True) -> None:
    """Mark the district's policies as changed: every process reloads them on its next request.

    This process loads the new version at once (inside the caller's transaction), so the
    rest of the request already decides with the new rules; other requests keep the
    version they loaded until their next request (no window without policies). With
    ``load=False`` it leaves the loading to the next :func:`ensure_loaded` (each request
    context awaits it): for code that checks no permission after the change (test
    factories, seeds); a check before that fails loudly ("not loaded").
    """
    await session.execute(
        update(District).where(District.id == district.id).values(policy_version=District.policy_version + 1)
    )
    await session.refresh(district, ["policy_version"])
    _drop(district.id, district.policy_version)  # a version number a rolled-back change may have used
    deferred = session.info.get(_DEFERRED)
    if deferred is not None:
        deferred[district.id] = district
    elif load:
        await ensure_loaded(session, district)


@asynccontextmanager
async def loads_deferred(session: AsyncSession) -> AsyncIterator[None]:
    """Policy changes in the block bump the version but load each district's rules once, at the end.

    For code that grants many roles in one transaction (seeding a district, its users and
    its modules): each :func:`bump_policy_version` otherwise reloads every rule of the
    district — a test's seed did it about twenty times. Inside the block a check of a
    changed district's rules fails loudly ("not loaded") rather than deciding with old
    rules, until :func:`ensure_loaded` is awaited.
    """
    if _DEFERRED in session.info:  # nested: the outer block loads
        yield
        return
    changed: dict[int, District] = {}
    session.info[_DEFERRED] = changed
    try:
        yield
    finally:
        del session.info[_DEFERRED]
    for district in changed.values():
        await ensure_loaded(session, district)


def _drop(district_id: int, version: int) -> None:
    versions = _enforcers.get(district_id)
    if versions and version in versions:
        _enforcers[district_id] = {v: loaded for v, loaded in versions.items() if v != version}
