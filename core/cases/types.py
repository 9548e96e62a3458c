"""Which case types a district has: shipped YAML (core and plugins) synced into versioned rows.

A shipped file whose content changed becomes a new published version; cases keep the
version they started on. Definitions are immutable per row, so parsed ones are cached
by row id for the life of the process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, inspect, select
from sqlalchemy.event import listens_for
from sqlalchemy.orm import object_session

from core.casetypes.definition import CaseTypeDef, parse_case_type
from core.casetypes.loader import load_yaml_file
from core.db import utcnow
from core.models import PolicyRule, Role
from core.models.cases import CaseTypeVersion
from core.plugins.host import CORE_KEY
from core.rbac import bump_policy_version
from core.rbac.enforcer import add_policy_rules, bump_in_flush, loads_deferred
from core.rbac.roles import DEFAULT_ROLES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District
    from core.plugins import PluginHost

__all__ = (
    "BUILTIN_DIR",
    "cached_current_versions",
    "cached_definition",
    "clear_cache",
    "current_versions",
    "definition_of",
    "get_version",
    "grant_permissions",
    "install_roles",
    "latest_version",
    "phone_keys",
    "phone_keys_of_version",
    "shipped_files",
    "sync_shipped_types",
)

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "casetypes" / "builtin"
_parsed: dict[int, CaseTypeDef] = {}
_phone_keys: dict[int, tuple[str, ...]] = {}
# The current versions of each district, kept per process: district id →
# ((policy_version, enabled plugins), rows). Any change to a non-draft version bumps the
# district's policy_version (the hooks below), so every process reloads on its next request.
_current: dict[int, tuple[tuple[int, frozenset[str] | None], list[CaseTypeVersion]]] = {}


def install_roles(host: PluginHost | None) -> set[str]:
    """Every role a shipped definition may name: the defaults and every installed plugin's."""
    roles = {r.key for r in DEFAULT_ROLES}
    for plugin in host.installed.values() if host is not None else ():
        roles.update(r.key for r in plugin.manifest.roles)
    return roles


def shipped_files(host: PluginHost | None, keys: Iterable[str] | None = None) -> list[tuple[str, Path]]:
    """``(owner, path)`` of every case-type YAML the core and the plugins ship (``keys``: only those plugins)."""
    files = [(CORE_KEY, path) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]
    if host is None:
        return files
    wanted = None if keys is None else set(keys)
    for plugin in host.plugins:
        if wanted is not None and plugin.key not in wanted:
            continue
        for path in host.call_for(plugin.key, "case_types") or []:
            files.append((plugin.key, Path(path)))
    return files


def clear_cache() -> None:
    """Forget parsed definitions and the case engine's other per-process caches keyed by ids.

    Tests that reuse row ids across databases need this (the autouse fixture of
    ``tests/conftest.py`` and ``core.testing`` call it before each test).
    """
    from core.cases.access import clear_cache as clear_trees  # noqa: PLC0415 - access is not needed to load types

    _parsed.clear()
    _phone_keys.clear()
    _current.clear()
    clear_trees()


def cached_definition(version_id: int) -> CaseTypeDef | None:
    """The parsed definition of a published or retired version, if this process has parsed it."""
    return _parsed.get(version_id)


async def cached_current_versions(
    session: AsyncSession, district: District, *, enabled: frozenset[str] | None = None
) -> list[CaseTypeVersion]:
    """:func:`current_versions`, kept per process until the district's ``policy_version`` moves."""
    key = (district.policy_version, enabled)
    hit = _current.get(district.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    rows = await current_versions(session, district, enabled=enabled)
    for row in rows:  # kept out of every session: a later rollback must not expire them under other requests
        session.expunge(row)
    _current[district.id] = (key, rows)
    return rows


def _version_changed(connection: Connection, target: CaseTypeVersion) -> None:
    """A stored version was added, changed or removed: every process must reload the district's types."""
    if target.status == "draft" and not inspect(target).attrs.status.history.deleted:
        return
    _current.pop(target.district_id, None)
    bump_in_flush(connection, object_session(target), target.district_id)


@listens_for(CaseTypeVersion, "after_insert")
@listens_for(CaseTypeVersion, "after_update")
@listens_for(CaseTypeVersion, "after_delete")
def _on_version_write(_mapper: Any, connection: Connection, target: CaseTypeVersion) -> None:
    _version_changed(connection, target)


def definition_of(row: CaseTypeVersion) -> CaseTypeDef:
    """The parsed definition of a stored version (cached: stored versions never change)."""
    parsed = _parsed.get(row.id)
    if parsed is None or row.status == "draft":
        parsed = parse_case_type(row.definition, known_roles=None, source=f"{row.key} v{row.version}")
        if row.status != "draft":
            _parsed[row.id] = parsed
    return parsed


def phone_keys(stored: Any) -> tuple[str, ...]:
    """The keys of the top-level phone fields of a stored definition (its JSON form), in form order."""
    form = stored.get("form") if isinstance(stored, dict) else None
    fields = form.get("fields") if isinstance(form, dict) else None
    return tuple(
        str(f["key"])
        for f in fields or ()
        if isinstance(f, dict) and f.get("type") == "phone" and isinstance(f.get("key"), str)
    )


def phone_keys_of_version(connection: Connection, version_id: int) -> tuple[str, ...]:
    """The phone fields of a stored version, read once per process (drafts re-read: they change).

    Synchronous on purpose: it runs inside a flush (``core.cases.writes``), where the async
    session's connection is used synchronously.
    """
    keys = _phone_keys.get(version_id)
    if keys is None:
        row = connection.execute(
            select(CaseTypeVersion.definition, CaseTypeVersion.status).where(CaseTypeVersion.id == version_id)
        ).first()
        keys = phone_keys(row[0]) if row is not None else ()
        if row is not None and row[1] != "draft":
            _phone_keys[version_id] = keys
    return keys


async def latest_version(session: AsyncSession, district: District, key: str) -> CaseTypeVersion | None:
    """The newest published or retired version of ``key`` in ``district`` (drafts left out)."""
    return (
        await session.execute(
            select(CaseTypeVersion)
            .where(
                CaseTypeVersion.district_id == district.id,
                CaseTypeVersion.key == key,
                CaseTypeVersion.status != "draft",
            )
            .order_by(CaseTypeVersion.version.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def store_version(
    session: AsyncSession,
    district: District,
    definition: CaseTypeDef,
    *,
    source: str,
    status: str = "published",
    created_by_id: int | None = None,
) -> CaseTypeVersion:
    """Store ``definition`` as the next version of its key in ``district``."""
    last = (
        await session.execute(
            select(func.max(CaseTypeVersion.version)).where(
                CaseTypeVersion.district_id == district.id, CaseTypeVersion.key == definition.key
            )
        )
    ).scalar_one()
    row = _version_row(district, definition, (last or 0) + 1, source, status, created_by_id)
    session.add(row)
    await session.flush()
    if status == "published":
        await grant_permissions(session, district, [definition])
    return row


def _version_row(
    district: District, definition: CaseTypeDef, version: int, source: str, status: str, created_by_id: int | None
) -> CaseTypeVersion:
    return CaseTypeVersion(
        district_id=district.id,
        key=definition.key,
        version=version,
        status=status,
        source=source,
        name_zh=definition.name_zh,
        name_en=definition.name_en,
        definition=definition.to_dict(),
        checksum=definition.checksum(),
        created_by_id=created_by_id,
        published_at=utcnow() if status == "published" else None,
    )


async def grant_permissions(session: AsyncSession, district: District, definitions: Iterable[CaseTypeDef]) -> None:
    """Make each definition's permissions Casbin rules of the district (idempotent; roles must exist).

    Two reads, one insert and one policy bump at most, however many definitions.
    """
    wanted: set[tuple[str, str, str]] = set()
    for definition in definitions:
        resource = definition.resource
        for action, roles in definition.permissions.items():
            wanted.update((resource, role, action) for role in roles)
        for transition in definition.workflow.transitions:
            wanted.update((resource, role, f"transition:{transition.key}") for role in transition.roles)
    if not wanted:
        return
    existing_roles = set((await session.execute(select(Role.key).where(Role.district_id == district.id))).scalars())
    resources = {resource for resource, _, _ in wanted}
    have = set(
        (
            await session.execute(
                select(PolicyRule.resource, PolicyRule.subject, PolicyRule.action).where(
                    PolicyRule.district_id == district.id, PolicyRule.resource.in_(resources)
                )
            )
        ).tuples()
    )
    missing = [(role, resource, action) for resource, role, action in sorted(wanted - have) if role in existing_roles]
    if await add_policy_rules(session, district, missing):
        await bump_policy_version(session, district)


async def sync_shipped_types(
    session: AsyncSession, district: District, host: PluginHost | None, enabled: Iterable[str] = ()
) -> list[CaseTypeVersion]:
    """Store a new version of every shipped type of the core and ``enabled`` plugins whose file changed.

    Two reads tell what the district has (the newest non-draft version of each key, and the
    highest version number of each key, drafts included); the new versions are written in
    one flush and their permissions granted in one pass.
    """
    roles = install_roles(host)
    newest: dict[str, Any] = {}
    for row in await session.execute(
        select(CaseTypeVersion.key, CaseTypeVersion.checksum, CaseTypeVersion.source)
        .where(CaseTypeVersion.district_id == district.id, CaseTypeVersion.status != "draft")
        .order_by(CaseTypeVersion.key, CaseTypeVersion.version)
    ):
        newest[row.key] = row  # ordered by version: the last one of each key stays
    numbers = await session.execute(
        select(CaseTypeVersion.key, func.max(CaseTypeVersion.version))
        .where(CaseTypeVersion.district_id == district.id)
        .group_by(CaseTypeVersion.key)
    )
    highest: dict[str, int] = dict(numbers.tuples().all())
    created: list[CaseTypeVersion] = []
    definitions: list[CaseTypeDef] = []
    for owner, path in shipped_files(host, enabled):
        definition = load_yaml_file(path, known_roles=roles)
        latest = newest.get(definition.key)
        if latest is not None and latest.checksum == definition.checksum():
            continue
        if latest is not None and not latest.source.startswith(("core", "plugin:")):
            continue  # the district made its own version; the builder decides when to take the shipped one
        source = "core" if owner == CORE_KEY else f"plugin:{owner}"
        version = highest.get(definition.key, 0) + 1
        highest[definition.key] = version
        created.append(_version_row(district, definition, version, source, "published", None))
        definitions.append(definition)
    if created:
        session.add_all(created)
        await session.flush()
        async with loads_deferred(session):  # the permissions bump the policies: loaded once at the end
            await grant_permissions(session, district, definitions)
    return created


async def current_versions(
    session: AsyncSession, district: District, *, enabled: Iterable[str] | None = None
) -> list[CaseTypeVersion]:
    """The newest published version of each case type of the district (not retired).

    ``enabled`` leaves out types shipped by plugins that are not enabled in the district.
    """
    newest = (
        select(CaseTypeVersion.key, func.max(CaseTypeVersion.version).label("v"))
        .where(CaseTypeVersion.district_id == district.id, CaseTypeVersion.status.in_(("published", "retired")))
        .group_by(CaseTypeVersion.key)
        .subquery()
    )
    rows = list(
        (
            await session.execute(
                select(CaseTypeVersion)
                .join(newest, (CaseTypeVersion.key == newest.c.key) & (CaseTypeVersion.version == newest.c.v))
                .where(CaseTypeVersion.district_id == district.id, CaseTypeVersion.status == "published")
                .order_by(CaseTypeVersion.key)
            )
        ).scalars()
    )
    if enabled is None:
        return rows
    allowed = set(enabled)
    return [r for r in rows if not r.source.startswith("plugin:") or r.source.split(":", 1)[1] in allowed]


async def get_version(session: AsyncSession, version_id: int) -> CaseTypeVersion | None:
    """A stored version by id (district-scoped by the session)."""
    return await session.get(CaseTypeVersion, version_id)
