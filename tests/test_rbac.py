"""Casbin authorization: default roles, policy changes seen at once and by other processes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from core import rbac
from core.models import District, User
from core.plugins import PluginHost
from core.rbac import authorize, enforcer, ensure_loaded
from core.rbac.enforcer import _enforcers
from core.services import roles as role_svc
from core.services.memberships import add_membership, remove_membership
from core.testing.factories import make_district, make_user


async def _setup(session):
    district = await make_district(session)
    other = await make_district(session, "yinzhou", "鄞州区")
    worker = await make_user(session, "worker", district=district, roles=("community_worker",))
    admin = await make_user(session, "district-admin", district=district, roles=("district_admin",))
    platform = await make_user(session, "root", platform_admin=True)
    return district, other, worker, admin, platform


def test_default_roles_decide_as_expected(seed):
    """The district admin manages roles, a worker only views org units; nobody acts in another district."""

    async def check(session):
        district, other, worker, admin, platform = await _setup(session)
        await ensure_loaded(session, district)
        await ensure_loaded(session, other)
        return (
            authorize(admin, district, "roles", "manage"),
            authorize(worker, district, "roles", "manage"),
            authorize(worker, district, "org_units", "view"),
            authorize(worker, district, "org_units", "manage"),
            authorize(admin, other, "roles", "manage"),
            authorize(platform, other, "roles", "manage"),
        )

    assert seed(check) == (True, False, True, False, False, True)


def test_inactive_user_is_denied_everything(seed):
    """A deactivated account may do nothing, whatever its roles."""

    async def check(session):
        district, _other, _worker, admin, _platform = await _setup(session)
        admin.is_active = False
        await ensure_loaded(session, district)
        return authorize(admin, district, "dashboard", "view")

    assert seed(check) is False


def test_permission_change_is_visible_at_once(seed):
    """Giving a role a permission through the service takes effect on the next check, in the same process."""

    async def check(session):
        district, _other, worker, _admin, _platform = await _setup(session)
        host = PluginHost.load(frozenset(), entry_points=False)
        await ensure_loaded(session, district)
        before = authorize(worker, district, "roles", "manage")
        current = await role_svc.permissions_of(session, district, "community_worker")
        await role_svc.set_permissions(session, district, host, "community_worker", current | {("roles", "manage")})
        await ensure_loaded(session, district)
        return before, authorize(worker, district, "roles", "manage")

    assert seed(check) == (False, True)


def test_decision_cache_is_dropped_when_policy_changes(seed):
    """A cached decision does not survive a change of membership (the version moves on)."""

    async def check(session):
        district, _other, worker, _admin, _platform = await _setup(session)
        await ensure_loaded(session, district)
        assert authorize(worker, district, "users", "manage") is False
        assert (worker.id, "users", "manage") in _enforcers[district.id][district.policy_version].decisions
        membership, _ = await add_membership(session, district, worker, "district_admin")
        cached = _enforcers.get(district.id, {}).get(district.policy_version)
        assert cached is None or (worker.id, "users", "manage") not in cached.decisions  # not the old version's
        await ensure_loaded(session, district)
        allowed = authorize(worker, district, "users", "manage")
        await remove_membership(session, district, membership.id)
        await ensure_loaded(session, district)
        return allowed, authorize(worker, district, "users", "manage")

    assert seed(check) == (True, False)


def test_a_version_pushed_out_by_a_burst_of_changes_decides_with_the_newer_rules(seed):
    """Many policy changes at once (eight accounts created) may push the version a request loaded out of
    the cache: that request decides with the newest loaded rules, never fails (it answered 500 once)."""

    async def check(session):
        district, _other, worker, _admin, _platform = await _setup(session)
        await ensure_loaded(session, district)
        loaded_at = district.policy_version
        for _ in range(6):  # more versions than the cache keeps
            membership, _ = await add_membership(session, district, worker, "district_admin")
            await ensure_loaded(session, district)
            await remove_membership(session, district, membership.id)
            await ensure_loaded(session, district)
        assert loaded_at not in _enforcers[district.id]
        set_committed_value(district, "policy_version", loaded_at)  # as the request read it, before the burst
        return authorize(worker, district, "users", "manage")

    assert seed(check) is False  # decided (by the newest rules: no longer an admin), no RuntimeError


def test_other_process_sees_change_through_the_version(seed):
    """Another process (a cold cache, then a stale one) reloads when the district's policy_version has moved."""

    async def first(session):
        district, *_ = await _setup(session)
        return district.id

    district_id = seed(first)

    async def load_stale(session):
        district = await session.get(District, district_id)
        worker = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        rbac.invalidate()  # a fresh process
        await ensure_loaded(session, district)
        return authorize(worker, district, "plugins", "manage"), district.policy_version

    before, version = seed(load_stale)
    assert before is False

    async def change_elsewhere(session):
        district = await session.get(District, district_id)
        host = PluginHost.load(frozenset(), entry_points=False)
        current = await role_svc.permissions_of(session, district, "community_worker")
        await role_svc.set_permissions(session, district, host, "community_worker", current | {("plugins", "manage")})

    # The change is made by "another process": simulate that our enforcer survives it.
    saved = dict(_enforcers)
    seed(change_elsewhere)
    _enforcers.update(saved)

    async def check_again(session):
        district = await session.get(District, district_id)
        worker = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        assert district.policy_version > version
        await ensure_loaded(session, district)
        return authorize(worker, district, "plugins", "manage")

    assert seed(check_again) is True


def test_changes_in_a_batch_load_the_rules_once_at_its_end(seed):
    """Inside ``loads_deferred`` each change bumps the version but loads nothing; a check in
    between fails loudly instead of deciding with old rules; at the end the new rules decide."""
    async def check(session):
        district, _other, worker, _admin, _platform = await _setup(session)
        host = PluginHost.load(frozenset(), entry_points=False)
        await ensure_loaded(session, district)
        loads = []
        original = enforcer._new_enforcer

        def counted():
            loads.append(1)
            return original()

        enforcer._new_enforcer = counted
        try:
            before = district.policy_version
            async with enforcer.loads_deferred(session):
                await add_membership(session, district, worker, "district_admin")
                current = await role_svc.permissions_of(session, district, "community_worker")
                await role_svc.set_permissions(
                    session, district, host, "community_worker", current | {("org_units", "manage")}
                )
                moved, loaded_inside = district.policy_version - before, len(loads)
                try:
                    authorize(worker, district, "roles", "manage")
                    refused_inside = None
                except RuntimeError as exc:
                    refused_inside = str(exc)
            return moved, loaded_inside, refused_inside, len(loads), authorize(worker, district, "roles", "manage")
        finally:
            enforcer._new_enforcer = original

    moved, loaded_inside, refused_inside, loaded_after, may = seed(check)
    assert moved == 2  # every change still tells the other processes
    assert loaded_inside == 0
    assert refused_inside is not None and "not loaded" in refused_inside
    assert loaded_after == 1
    assert may is True


def test_a_change_made_without_loading_is_loaded_by_the_next_context(seed):
    """``bump_policy_version(load=False)`` (the test factory's ``make_user``): the next ``ensure_loaded`` loads it."""

    async def check(session):
        district, _other, worker, _admin, _platform = await _setup(session)
        await ensure_loaded(session, district)
        user = await make_user(session, "new-admin", district=district, roles=("district_admin",))
        try:
            authorize(user, district, "roles", "manage")
            checked_early = "decided"
        except RuntimeError:
            checked_early = "not loaded"
        await ensure_loaded(session, district)
        may = authorize(user, district, "roles", "manage"), authorize(worker, district, "roles", "manage")
        return checked_early, *may

    assert seed(check) == ("not loaded", True, False)
