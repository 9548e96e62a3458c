"""Creating and listing districts (platform admins only; callers check that)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.db import unscoped
from core.i18n import gettext as _
from core.models import District
from core.refusal import ConflictError, NotFoundError, check_names, raise_if
from core.services.policies import ensure_district_defaults

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("CODE_RE", "create_district", "get_district", "list_districts")

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
REF_PREFIX_RE = re.compile(r"^[A-Z]{0,8}$")


async def list_districts(session: AsyncSession) -> list[District]:
    """Every district, by code."""
    return list((await session.execute(select(District).order_by(District.code))).scalars())


async def get_district(session: AsyncSession, code: str) -> District:
    """The district with ``code`` or :class:`NotFoundError`."""
    district = (await session.execute(select(District).where(District.code == code))).scalar_one_or_none()
    if district is None:
        raise NotFoundError(_("There is no district with code %(code)s.", code=code), "code")
    return district


async def create_district(
    session: AsyncSession, *, code: str, name_zh: str, name_en: str = "", ref_prefix: str = ""
) -> District:
    """Create a district with its default roles and policies.

    ``code`` is lowercase letters, digits and ``-`` (2–32); ``ref_prefix`` defaults to
    the code's first two letters in capitals.
    """
    code = (code or "").strip()
    name_zh = (name_zh or "").strip()
    name_en = (name_en or "").strip()
    ref_prefix = (ref_prefix or "").strip().upper() or code[:2].upper()
    errors: dict[str, str] = {}
    if not CODE_RE.match(code):
        errors["code"] = _("The code must be 2 to 32 lowercase letters, digits or '-', starting with a letter.")
    check_names(name_zh, name_en, errors)
    if not REF_PREFIX_RE.match(ref_prefix):
        errors["ref_prefix"] = _("The reference prefix must be up to 8 capital letters.")
    raise_if(errors)
    with unscoped(session):
        exists = (await session.execute(select(District.id).where(District.code == code))).first()
    if exists:
        raise ConflictError(_("A district with code %(code)s already exists.", code=code), "code")
    district = District(code=code, name_zh=name_zh, name_en=name_en, ref_prefix=ref_prefix)
    session.add(district)
    await session.flush()
    await ensure_district_defaults(session, district)
    return district
