"""Drafts, publishing and retiring of the case types a district builds.

A district has at most one draft per case-type key, kept as its YAML/JSON form in a
``CaseTypeVersion`` row with status ``draft`` (it may be broken while being edited).
Publishing checks it, then stores it as a new immutable version through
:func:`core.cases.types.store_version` and drops the draft: cases already filed keep the
version they started on, new cases take the new one at once (no restart).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm.attributes import flag_modified

from core.builder.access import access_losses, replace_permissions
from core.builder.checks import problems_of
from core.cases.types import current_versions, definition_of, latest_version, store_version
from core.casetypes.definition import KEY_RE, parse_case_type
from core.casetypes.loader import line_of, load_yaml_text
from core.forms.definition import DefinitionError, Problem
from core.models import District, Role
from core.models.cases import Case, CaseTypeVersion
from core.refusal import ServiceError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.casetypes.definition import CaseTypeDef

__all__ = (
    "AccessLoss",
    "BuilderError",
    "district_roles",
    "draft_of",
    "export_yaml",
    "import_yaml",
    "new_draft",
    "open_cases_by_version",
    "publish",
    "retire",
    "save_draft",
    "skeleton",
    "start_draft",
    "versions_of",
)

STAFF = ["district_admin", "community_worker", "social_worker"]


class BuilderError(ServiceError):
    """A builder action refused, with the problems that stand in the way."""

    def __init__(self, message: str, problems: list[Problem] | None = None, status_code: int = 400) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.status_code = status_code


class AccessLoss(BuilderError):
    """Publishing would take access away from someone and was not confirmed; ``losses`` says what, per role."""

    def __init__(self, losses: dict[str, list[str]]) -> None:
        super().__init__(
            "发布将收回部分权限，须确认 / publishing takes access away and must be confirmed", status_code=409
        )
        self.losses = losses


def skeleton(key: str, name_zh: str, name_en: str = "") -> dict[str, Any]:
    """A new, empty case type that already passes every check: one open state and a way to close."""
    return {
        "key": key,
        "name": {"zh": name_zh, **({"en": name_en} if name_en else {})},
        "form": {"fields": []},
        "workflow": {
            "initial": "new",
            "states": [
                {"key": "new", "label": {"zh": "新登记", "en": "New"}, "kind": "open"},
                {"key": "done", "label": {"zh": "已办结", "en": "Done"}, "kind": "closed"},
            ],
            "transitions": [
                {
                    "key": "finish",
                    "from": ["new"],
                    "to": "done",
                    "label": {"zh": "办结", "en": "Finish"},
                    "roles": STAFF,
                }
            ],
        },
        "permissions": {"view": STAFF, "create": STAFF, "edit": STAFF, "comment": STAFF, "export": ["district_admin"]},
    }


async def district_roles(session: AsyncSession, district: District) -> set[str]:
    """The role keys of the district (what a definition may name)."""
    return set((await session.execute(select(Role.key).where(Role.district_id == district.id))).scalars())


async def versions_of(session: AsyncSession, district: District, key: str | None = None) -> list[CaseTypeVersion]:
    """Every stored version of the district (or of one key), newest first."""
    query = select(CaseTypeVersion).where(CaseTypeVersion.district_id == district.id)
    if key is not None:
        query = query.where(CaseTypeVersion.key == key)
    return list((await session.execute(query.order_by(CaseTypeVersion.key, CaseTypeVersion.version.desc()))).scalars())


async def open_cases_by_version(session: AsyncSession, district: District) -> dict[int, int]:
    """How many open cases each version has."""
    rows = await session.execute(
        select(Case.case_type_version_id, func.count())
        .where(Case.district_id == district.id, Case.is_open.is_(True))
        .group_by(Case.case_type_version_id)
    )
    return {int(v): int(n) for v, n in rows.tuples()}


async def draft_of(session: AsyncSession, district: District, key: str) -> CaseTypeVersion | None:
    """The key's draft, if there is one."""
    return (
        await session.execute(
            select(CaseTypeVersion).where(
                CaseTypeVersion.district_id == district.id,
                CaseTypeVersion.key == key,
                CaseTypeVersion.status == "draft",
            )
        )
    ).scalar_one_or_none()


async def _next_version(session: AsyncSession, district: District, key: str) -> int:
    last = (
        await session.execute(
            select(func.max(CaseTypeVersion.version)).where(
                CaseTypeVersion.district_id == district.id, CaseTypeVersion.key == key
            )
        )
    ).scalar_one()
    return int(last or 0) + 1


async def new_draft(
    session: AsyncSession, district: District, raw: dict[str, Any], *, source: str = "builder", user_id: int | None
) -> CaseTypeVersion:
    """Store ``raw`` as the draft of its key (refused if the key is invalid or already has a draft)."""
    key = str(raw.get("key") or "")
    if not KEY_RE.match(key):
        raise BuilderError(f"类型键无效 / invalid case type key {key!r}", [Problem("key", "invalid key")])
    if await draft_of(session, district, key) is not None:
        raise BuilderError(f"{key} 已有草稿 / {key!r} already has a draft", status_code=409)
    row = CaseTypeVersion(
        district_id=district.id,
        key=key,
        version=await _next_version(session, district, key),
        status="draft",
        source=source,
        name_zh=str((raw.get("name") or {}).get("zh", "") if isinstance(raw.get("name"), dict) else raw.get("name"))[
            :100
        ],
        name_en="",
        definition=copy.deepcopy(raw),
        checksum="",
        created_by_id=user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def start_draft(
    session: AsyncSession,
    district: District,
    *,
    user_id: int | None,
    key: str,
    name_zh: str = "",
    name_en: str = "",
    copy_from: tuple[str, str] | None = None,
) -> CaseTypeVersion:
    """A draft: empty, a copy of one of this district's types (``(district_code, key)``), or the key's newest version.

    With neither ``name_zh`` nor ``copy_from``, the draft continues the key's newest published version.
    """
    if copy_from is not None:
        code, source_key = copy_from
        # Only this district's types: the session sees no other district's rows, and a
        # look-up must not tell which types exist elsewhere. Another district's type
        # travels as its YAML export (export, then import here).
        rows = await current_versions(session, district) if code in ("", district.code) else []
        found = next((r for r in rows if r.key == source_key), None)
        if found is None:
            raise BuilderError(
                f"本区没有可复制的类型 {source_key!r}（其他区的类型请导出 YAML 后在本区导入）"
                f" / no case type {source_key!r} of this district to copy (export another district's type as YAML "
                "and import it here)",
                status_code=404,
            )
        raw = definition_of(found).to_dict()
        raw["key"] = key
        if name_zh:
            raw["name"] = {"zh": name_zh, **({"en": name_en} if name_en else {})}
    elif name_zh:
        if await latest_version(session, district, key) is not None:
            raise BuilderError(f"类型 {key} 已存在 / case type {key!r} exists", [Problem("key", "exists")], 409)
        raw = skeleton(key, name_zh, name_en)
    else:
        latest = await latest_version(session, district, key)
        if latest is None:
            raise BuilderError(f"没有类型 {key} / no case type {key!r}", status_code=404)
        raw = definition_of(latest).to_dict()
    if copy_from is not None and await latest_version(session, district, key) is not None:
        raise BuilderError(f"类型 {key} 已存在 / case type {key!r} exists", [Problem("key", "exists")], 409)
    return await new_draft(session, district, raw, user_id=user_id)


def save_draft(row: CaseTypeVersion, raw: dict[str, Any]) -> None:
    """Replace the draft's definition (a new object, so the JSON column is written)."""
    if row.status != "draft":
        raise BuilderError("已发布的版本不可修改 / a published version never changes", status_code=409)
    row.definition = copy.deepcopy(raw)
    flag_modified(row, "definition")
    name = raw.get("name")
    row.name_zh = str(name.get("zh", "") if isinstance(name, dict) else name or "")[:100]


async def publish(
    session: AsyncSession, district: District, key: str, *, user_id: int | None, allow_losses: bool = True
) -> CaseTypeVersion:
    """Check the key's draft and store it as the next published version (refused while problems remain).

    With ``allow_losses=False`` a draft that would take access away from anyone is refused
    with :class:`AccessLoss` (the pages and the API ask for a confirmation first).
    """
    draft = await draft_of(session, district, key)
    if draft is None:
        raise BuilderError(f"{key} 没有草稿 / {key!r} has no draft", status_code=404)
    problems = problems_of(draft.definition, await district_roles(session, district))
    if problems:
        raise BuilderError("草稿还有问题 / the draft still has problems", problems, 409)
    if not allow_losses:
        losses = await access_losses(session, district, draft.definition)
        if losses:
            raise AccessLoss(losses)
    definition = parse_case_type(draft.definition, known_roles=None)
    source = draft.source
    await session.execute(delete(CaseTypeVersion).where(CaseTypeVersion.id == draft.id))
    session.expunge(draft)
    row = await store_version(session, district, definition, source=source, created_by_id=user_id)
    await replace_permissions(session, district, definition)
    return row


async def retire(session: AsyncSession, district: District, key: str) -> CaseTypeVersion:
    """Take the key out of use: its newest version becomes retired (existing cases keep working)."""
    latest = await latest_version(session, district, key)
    if latest is None or latest.status != "published":
        raise BuilderError(f"没有已发布的 {key} / no published {key!r}", status_code=404)
    latest.status = "retired"
    await session.flush()
    return latest


def export_yaml(definition: CaseTypeDef) -> str:
    """The definition as the YAML plugins ship."""
    return yaml.safe_dump(definition.to_dict(), allow_unicode=True, sort_keys=False, width=120)


async def import_yaml(session: AsyncSession, district: District, text: str, *, user_id: int | None) -> CaseTypeVersion:
    """Check YAML text like a plugin's file (and the workflow checks) and store it as a draft.

    Every problem carries ``(line N)``; nothing is stored while there is one.
    """
    roles = await district_roles(session, district)
    definition = load_yaml_text(text, known_roles=roles, source="import")
    raw = definition.to_dict()
    extra = problems_of(raw, roles)
    if extra:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
        located = []
        for p in extra:
            line = line_of(document, p.path)
            located.append(Problem(p.path, f"(line {line}) {p.message}" if line else p.message))
        raise DefinitionError(located, "import")
    existing = await draft_of(session, district, definition.key)
    if existing is not None:
        save_draft(existing, raw)
        existing.source = "import"
        return existing
    return await new_draft(session, district, raw, source="import", user_id=user_id)
