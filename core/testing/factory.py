"""Test data through the core's own services: districts, users, enablement, cases, transitions.

Every method is synchronous for the test, runs its work in one committed transaction on
the test database and returns plain values (ids, references, messages), never ORM
objects tied to a closed session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from litestar.exceptions import HTTPException
from sqlalchemy import select

from core.refusal import Refusal
from core.testing.runner import committed
from core.testing.web import PASSWORD

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.config import Settings
    from core.context import RequestContext
    from core.models import District, User
    from core.plugins import PluginHost

__all__ = ("DEFAULT_DISTRICT", "DistrictRef", "Factory")

T = TypeVar("T")

DEFAULT_DISTRICT = "haishu"
# (code, zh name, en name, kind, parent code): the demo district's places.
DEFAULT_UNITS = (
    ("gulou", "鼓楼街道", "Gulou Subdistrict", "street", None),
    ("pingqiao", "平桥社区", "Pingqiao Community", "community", "gulou"),
    ("mudan", "牡丹社区", "Mudan Community", "community", "gulou"),
)
_hashes: dict[str, str] = {}


@dataclass(frozen=True)
class DistrictRef:
    """A district the factory made: its id, code and the ids of its org units by code."""

    id: int
    code: str
    name_zh: str
    org_units: dict[str, int] = field(default_factory=dict)


def _password_hash(password: str) -> str:
    # argon2 is slow by design; hash each password once per test session.
    if password not in _hashes:
        from core.auth.passwords import hash_password  # noqa: PLC0415

        _hashes[password] = hash_password(password)
    return _hashes[password]


def _describe(exc: Exception) -> str:
    """The message a user would see for a refused step (with the fields, for invalid data)."""
    from core.cases.errors import InvalidData  # noqa: PLC0415

    if isinstance(exc, InvalidData) and exc.errors:
        fields = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
        return f"{exc.message} ({fields})"
    if isinstance(exc, Refusal):
        return exc.text()
    if isinstance(exc, HTTPException):
        return str(exc.detail)
    return str(exc)


class Factory:
    """Builds test data in the database at ``database_url`` for an app of ``host``'s plugins.

    ``plugins`` are enabled in every district the factory makes unless told otherwise.
    """

    def __init__(self, database_url: str, settings: Settings, host: PluginHost, plugins: Sequence[str] = ()) -> None:
        self.database_url = database_url
        self.settings = settings
        self.host = host
        self.plugins = tuple(plugins)

    # -- running code against the database ------------------------------------------

    def run(self, func: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``await func(session)`` in one transaction, commit, and return its result."""
        return committed(self.database_url, func)

    def as_user(
        self, username: str, func: Callable[[RequestContext], Awaitable[T]], district: str = DEFAULT_DISTRICT
    ) -> T:
        """Run ``await func(ctx)`` as ``username`` in ``district`` (a role key makes that user if missing)."""
        from core.context import context_for  # noqa: PLC0415

        async def work(session: AsyncSession) -> T:
            found = await self._district(session, district)
            user = await self._user_or_role(session, username, found)
            ctx = await context_for(session, settings=self.settings, host=self.host, user=user, district=found)
            return await func(ctx)

        return self.run(work)

    # -- districts, places, people ----------------------------------------------------

    def district(
        self,
        code: str = DEFAULT_DISTRICT,
        name_zh: str = "海曙区",
        *,
        name_en: str | None = None,
        plugins: Sequence[str] | None = None,
        with_places: bool = True,
    ) -> DistrictRef:
        """A district with the default roles, 鼓楼街道/平桥社区/牡丹社区 and ``plugins`` enabled (idempotent)."""
        from core.demo import plugin_order  # noqa: PLC0415
        from core.models import District, OrgUnit, OrgUnitKind  # noqa: PLC0415
        from core.plugins.enabled import enabled_keys  # noqa: PLC0415
        from core.services.enablement import enable_plugin  # noqa: PLC0415
        from core.services.policies import ensure_district_defaults  # noqa: PLC0415

        wanted = self.plugins if plugins is None else tuple(plugins)

        async def work(session: AsyncSession) -> DistrictRef:
            district = (await session.execute(select(District).where(District.code == code))).scalar_one_or_none()
            if district is None:
                district = District(
                    code=code, name_zh=name_zh, name_en=name_en or code.title(), ref_prefix=code[:2].upper()
                )
                session.add(district)
                await session.flush()
            await ensure_district_defaults(session, district)
            query = select(OrgUnit).where(OrgUnit.district_id == district.id)
            units = {u.code: u.id for u in (await session.execute(query)).scalars()}
            for unit_code, unit_zh, unit_en, kind, parent in DEFAULT_UNITS if with_places else ():
                if unit_code not in units:
                    unit = OrgUnit(
                        district_id=district.id,
                        code=unit_code,
                        name_zh=unit_zh,
                        name_en=unit_en,
                        kind=OrgUnitKind(kind),
                        parent_id=units[parent] if parent else None,
                    )
                    session.add(unit)
                    await session.flush()
                    units[unit_code] = unit.id
            for key in plugin_order(self.host):
                if key in wanted and key not in await enabled_keys(session, district, self.host):
                    await enable_plugin(session, district, self.host, key)
            return DistrictRef(district.id, district.code, district.name_zh, units)

        return self.run(work)

    def user(
        self,
        username: str,
        *,
        role: str | Sequence[str] | None = None,
        district: str = DEFAULT_DISTRICT,
        org_unit: str | None = None,
        platform_admin: bool = False,
        password: str = PASSWORD,
    ) -> int:
        """A user (password ``sanshe-demo`` unless given) with ``role`` in ``district``; returns its id."""

        async def work(session: AsyncSession) -> int:
            found = await self._district(session, district) if role else None
            roles = (role,) if isinstance(role, str) else tuple(role or ())
            user = await self._make_user(session, username, found, roles, org_unit, platform_admin, password)
            return user.id

        return self.run(work)

    def enable(self, key: str, *, district: str = DEFAULT_DISTRICT, settings: dict[str, Any] | None = None) -> None:
        """Enable plugin ``key`` in ``district``, with ``settings`` (checked against its schema) when given."""
        from core.plugins.enabled import plugin_settings  # noqa: PLC0415
        from core.services.enablement import enable_plugin  # noqa: PLC0415

        async def work(session: AsyncSession) -> None:
            found = await self._district(session, district)
            merged = None
            if settings is not None:
                merged = {**await plugin_settings(session, found, self.host, key), **settings}
            await enable_plugin(session, found, self.host, key, merged)

        self.run(work)

    def disable(self, key: str, *, district: str = DEFAULT_DISTRICT) -> None:
        """Disable plugin ``key`` in ``district`` (its data stays)."""
        from core.services.enablement import disable_plugin  # noqa: PLC0415

        async def work(session: AsyncSession) -> None:
            await disable_plugin(session, await self._district(session, district), self.host, key)

        self.run(work)

    def seed_demo(self, key: str, *, district: str = DEFAULT_DISTRICT) -> None:
        """Call plugin ``key``'s ``seed_demo`` hook as ``sanshe demo`` does (session bound to the district)."""
        from core.db import for_district  # noqa: PLC0415
        from core.plugins.asyncio import await_me_maybe  # noqa: PLC0415

        async def work(session: AsyncSession) -> None:
            found = await self._district(session, district)
            for_district(session, found.id)
            await await_me_maybe(self.host.call_for(key, "seed_demo", session=session, district=found))
            await session.flush()

        self.run(work)

    # -- cases ------------------------------------------------------------------------

    def case(
        self,
        type_key: str,
        *,
        as_user: str,
        title: str = "测试案件",
        data: dict[str, Any] | None = None,
        channel: str = "web",
        district: str = DEFAULT_DISTRICT,
    ) -> str:
        """Open a case of ``type_key`` as ``as_user`` through the case service; returns its reference."""
        from core.cases.service import create_case  # noqa: PLC0415

        async def work(ctx: RequestContext) -> str:
            case = await create_case(ctx, type_key, title=title, data=data or {}, channel=channel)
            return case.reference

        return self.as_user(as_user, work, district)

    def case_state(self, reference: str, *, district: str = DEFAULT_DISTRICT) -> str:
        """The state a case is in now."""
        from core.models.cases import Case  # noqa: PLC0415

        async def work(session: AsyncSession) -> str:
            found = await self._district(session, district)
            query = select(Case.state).where(Case.district_id == found.id, Case.reference == reference)
            return str((await session.execute(query)).scalar_one())

        return self.run(work)

    def transition(
        self,
        reference: str,
        transition: str,
        *,
        as_user: str,
        data: dict[str, Any] | None = None,
        reason: str = "",
        district: str = DEFAULT_DISTRICT,
    ) -> str | None:
        """Take ``transition`` on the case as ``as_user``: ``None`` when it happened, else why it was refused.

        Refusals are the workflow's (wrong state, a guard, a plugin's ``before_transition``),
        missing permission, invalid or missing fields, and a case the user may not see;
        the reason is the message the user would be shown, in Chinese. Nothing is saved
        when the step is refused.
        """
        from core.cases.service import get_case, perform_transition  # noqa: PLC0415

        async def work(ctx: RequestContext) -> str | None:
            try:
                case, definition = await get_case(ctx, reference, for_update=True)
                await perform_transition(ctx, case, definition, transition, reason=reason, data=data)
            except (Refusal, HTTPException) as exc:
                await ctx.session.rollback()
                return _describe(exc)
            return None

        return self.as_user(as_user, work, district)

    # -- helpers ----------------------------------------------------------------------

    async def _district(self, session: AsyncSession, code: str) -> District:
        from core.models import District  # noqa: PLC0415

        found = (await session.execute(select(District).where(District.code == code))).scalar_one_or_none()
        if found is None:
            msg = f"no district {code!r}: use the sanshe_district fixture or factory.district({code!r}) first"
            raise LookupError(msg)
        return found

    async def _user_or_role(self, session: AsyncSession, username: str, district: District) -> User:
        from core.models import User  # noqa: PLC0415
        from core.rbac import DEFAULT_ROLES  # noqa: PLC0415

        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is not None:
            return user
        roles = {r.key for r in DEFAULT_ROLES} | {r.key for p in self.host.plugins for r in p.manifest.roles}
        if username not in roles:
            msg = f"no user {username!r}: make it with sanshe_factory.user(...) or name a role key"
            raise LookupError(msg)
        return await self._make_user(session, username, district, (username,), None, False, PASSWORD)

    async def _make_user(
        self,
        session: AsyncSession,
        username: str,
        district: District | None,
        roles: tuple[str, ...],
        org_unit: str | None,
        platform_admin: bool,
        password: str,
    ) -> User:
        from core.models import Membership, OrgUnit, User  # noqa: PLC0415
        from core.rbac import bump_policy_version  # noqa: PLC0415

        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is None:
            user = User(
                username=username,
                display_name=username,
                password_hash=_password_hash(password),
                is_platform_admin=platform_admin,
            )
            session.add(user)
            await session.flush()
        if district is None or not roles:
            return user
        unit_id = None
        if org_unit is not None:
            query = select(OrgUnit.id).where(OrgUnit.district_id == district.id, OrgUnit.code == org_unit)
            unit_id = (await session.execute(query)).scalar_one()
        for role in roles:
            session.add(Membership(user_id=user.id, district_id=district.id, role_key=role, org_unit_id=unit_id))
        await session.flush()
        await bump_policy_version(session, district)
        return user
