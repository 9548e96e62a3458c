"""Creating a bank and editing its settings: one check and one write, used by the page, the API and the CLI.

A district's time-bank admins (``time_bank:admin``) create banks and change their name,
operating organization, community and description; the bank's rules (limits, caps,
expiry) are checked by :mod:`plugins.time_bank.rules_form` whichever door they come in by.
Nothing is written unless every field is right; the same name twice in a district is
refused (also when two requests race: the unique constraint decides, inside a savepoint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import OrgUnit, OrgUnitKind, Refusal, organizations
from core.plugin_api import gettext as _
from plugins.time_bank import banks, rules_form
from plugins.time_bank.models import Bank

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "RULE_FIELDS",
    "STARTER_CATEGORIES",
    "BankDraft",
    "check_bank",
    "create",
    "form_of",
    "hours_of_minutes",
    "registered",
    "save",
    "units",
)

# The categories a new bank may start with (key, 中文, English, rate %); more are added on its rules page.
STARTER_CATEGORIES = [
    ("chat", "陪聊", "Company", 100),
    ("visit", "探访", "Home visit", 100),
    ("meals", "助餐", "Meals", 100),
    ("shopping", "代购", "Shopping", 100),
    ("patrol", "巡查", "Patrol", 100),
    ("haircut", "理发", "Haircut", 150),
    ("escort", "陪同就医", "Hospital escort", 150),
]
RULE_FIELDS = ("min_balance", "max_balance", "yearly_cap", "expiry_months", "gift_yearly_max")


@dataclass
class BankDraft:
    """A checked form: what would be written, or ``errors`` by field (nothing is written then)."""

    name: str = ""
    organization: str = ""
    organization_id: int | None = None
    org_unit_id: int | None = None
    description: str = ""
    active: bool = True
    categories: list[tuple[str, str, str, int]] = field(default_factory=list)
    rules: banks.BankRules | None = None
    errors: dict[str, str] = field(default_factory=dict)


def hours_of_minutes(minutes: Any) -> str:
    """An amount in minutes (the API's unit) as the hours the form's checks read (``90`` → ``"1.5"``)."""
    if minutes in (None, ""):
        return ""
    try:
        return format((Decimal(int(minutes)) / 60).normalize(), "f")
    except (TypeError, ValueError):
        return "x"  # refused by the check with the field's message


async def units(session: AsyncSession) -> list[OrgUnit]:
    """The streets and communities a bank may serve."""
    query = select(OrgUnit).where(OrgUnit.kind.in_((OrgUnitKind.STREET, OrgUnitKind.COMMUNITY))).order_by(OrgUnit.code)
    return list((await session.execute(query)).scalars())


async def registered(session: AsyncSession) -> list[organizations.Organization]:
    """The district's organizations a bank may be run by (not deregistered or revoked), by name."""
    org = organizations.Organization
    working = (organizations.OrgStatus.ACTIVE, organizations.OrgStatus.SUSPENDED)
    query = select(org).where(org.status.in_(working)).order_by(org.name)
    return list((await session.execute(query)).scalars())


def form_of(bank: Bank) -> dict[str, Any]:
    """The settings form filled from the bank."""
    return {
        "name": bank.name,
        "organization_id": "" if bank.organization_id is None else str(bank.organization_id),
        "organization": bank.organization,
        "org_unit_id": "" if bank.org_unit_id is None else str(bank.org_unit_id),
        "description": bank.description,
        "active": "on" if bank.active else "",
    }


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key)
    return "" if value is None else str(value).strip()


async def check_bank(session: AsyncSession, form: Mapping[str, Any], *, bank: Bank | None = None) -> BankDraft:
    """Check a new bank's form (``bank`` None) or a bank's settings; only the fields given are changed on edit.

    ``categories``: the starter keys a new bank counts (a list, at least one). Rule fields
    (:data:`RULE_FIELDS`, in hours like the rules page) are optional; blank means no limit.
    """
    draft = BankDraft()
    new = bank is None
    if new or "name" in form:
        draft.name = _text(form, "name")
        if not draft.name or len(draft.name) > 200:
            draft.errors["name"] = _("Give the bank a name of at most 200 characters.")
        else:
            query = select(Bank.id).where(Bank.name == draft.name)
            if bank is not None:
                query = query.where(Bank.id != bank.id)
            if (await session.execute(query)).first():
                draft.errors["name"] = _("This district already has a time bank of that name.")
    if new or "organization" in form or "organization_id" in form:
        await _check_organization(session, form, draft)
    if new or "org_unit_id" in form:
        raw = _text(form, "org_unit_id")
        if raw:
            found = {u.id for u in await units(session)}
            if not raw.isdigit() or int(raw) not in found:
                draft.errors["org_unit_id"] = _("Choose one of the district's streets or communities.")
            else:
                draft.org_unit_id = int(raw)
    if new or "description" in form:
        draft.description = _text(form, "description")
        if len(draft.description) > 2000:
            draft.errors["description"] = _("At most 2000 characters.")
    if not new and "active" in form:
        draft.active = str(form.get("active")).lower() in {"on", "true", "1"}
    if new:
        raw_keys = form.get("categories") or []
        keys = [raw_keys] if isinstance(raw_keys, str) else [str(k) for k in raw_keys]
        starters = {c[0]: c for c in STARTER_CATEGORIES}
        draft.categories = [starters[k] for k in starters if k in keys]
        if not draft.categories or any(k not in starters for k in keys):
            draft.errors["categories"] = _("Choose at least one of the listed categories.")
    if any(k in form for k in RULE_FIELDS) or new:
        limits = {k: _text(form, k) for k in RULE_FIELDS}
        if bank is not None:  # fields not given keep their value
            current = rules_form.form_of(bank, {})
            limits = {k: limits[k] if k in form else str(current.get(k, "")) for k in RULE_FIELDS}
        draft.rules = rules_form.check_limits(limits, draft.errors)
        if bank is not None:
            draft.rules.incentives = list(bank.incentives or [])
    return draft


async def _check_organization(session: AsyncSession, form: Mapping[str, Any], draft: BankDraft) -> None:
    """The operating organization: one of the registry's (``organization_id``), or a name written out.

    A name that is exactly a registered organization's is linked to it, so the API's and the
    CLI's ``organization`` text links as the page's list does; a name that is not stays text
    (an informal group not yet in the registry: its services then have nobody to rate).
    """
    org = organizations.Organization
    raw = _text(form, "organization_id")
    if raw:
        chosen = None
        if raw.isdigit() and len(raw) <= 18:
            chosen = (await session.execute(select(org).where(org.id == int(raw)))).scalar_one_or_none()
        if chosen is None:
            draft.errors["organization_id"] = _("Choose one of the district's registered organizations.")
            return
        draft.organization_id, draft.organization = chosen.id, chosen.name
        return
    draft.organization = _text(form, "organization")
    if not draft.organization or len(draft.organization) > 200:
        draft.errors["organization"] = _(
            "Choose the organization that runs the bank, or write its name (at most 200 characters)."
        )
        return
    draft.organization_id = (
        await session.execute(select(org.id).where(org.name == draft.organization))
    ).scalar_one_or_none()


def _refuse(draft: BankDraft) -> None:
    if draft.errors:
        raise Refusal(_("Please correct the marked fields."), errors=draft.errors)


async def create(session: AsyncSession, district_id: int, draft: BankDraft) -> Bank:
    """Write a checked new bank (categories, pool account); a name taken meanwhile is refused, nothing written."""
    _refuse(draft)
    try:
        async with session.begin_nested():
            return await banks.create_bank(
                session,
                district_id=district_id,
                name=draft.name,
                organization=draft.organization,
                organization_id=draft.organization_id,
                categories=draft.categories,
                rules=draft.rules,
                org_unit_id=draft.org_unit_id,
                description=draft.description,
            )
    except IntegrityError as exc:
        message = _("This district already has a time bank of that name.")
        raise Refusal(message, errors={"name": message}, status_code=409) from exc


async def save(session: AsyncSession, bank: Bank, form: Mapping[str, Any], draft: BankDraft) -> Bank:
    """Write a checked edit: only the fields the form gave; rules through ``update_rules``."""
    _refuse(draft)
    try:
        async with session.begin_nested():
            for name in ("name", "org_unit_id", "description", "active"):
                if name in form:
                    setattr(bank, name, getattr(draft, name))
            if "organization" in form or "organization_id" in form:
                bank.organization, bank.organization_id = draft.organization, draft.organization_id
            if draft.rules is not None:
                await banks.update_rules(session, bank, draft.rules)
            await session.flush()
    except IntegrityError as exc:
        message = _("This district already has a time bank of that name.")
        raise Refusal(message, errors={"name": message}, status_code=409) from exc
    return bank
