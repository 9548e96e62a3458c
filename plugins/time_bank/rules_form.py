"""A bank's rules as its staff edit them in a form: read, checked field by field, then saved all at once.

Amounts are typed in hours (``1.5``), rates as hours credited per hour served (``1.5``
→ 150 %). Nothing is written unless every field is right: :func:`check_rules` only reads
the form, :func:`save_rules` writes through ``service.update_rules`` and the categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from core.plugin_api import gettext as _
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, Category

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("NEW_RULES", "RulesDraft", "check_limits", "check_rules", "form_of", "save_rules")

NEW_RULES = 2  # blank incentive rows offered under the existing ones
MAX_HOURS = Decimal(100_000)
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass
class RulesDraft:
    rules: banks.BankRules = field(default_factory=banks.BankRules)
    categories: dict[str, tuple[bool, int]] = field(default_factory=dict)  # key → (counted, rate %)
    new_category: tuple[str, str, str, int] | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _hours(text: str) -> str:
    return format(Decimal(text).normalize(), "f") if text else ""


def form_of(bank: Bank, cats: dict[str, Category]) -> dict[str, Any]:
    """The form's fields filled from the bank as it is."""

    def hours(minutes: int | None) -> str:
        return "" if minutes is None else _hours(str(Decimal(minutes) / 60))

    form: dict[str, Any] = {
        "min_balance": hours(bank.min_balance),
        "max_balance": hours(bank.max_balance),
        "yearly_cap": hours(bank.yearly_cap),
        "expiry_months": "" if bank.expiry_months is None else str(bank.expiry_months),
        "gift_yearly_max": hours(bank.gift_yearly_max),
    }
    for key, cat in cats.items():
        form[f"rate_{key}"] = _hours(str(Decimal(cat.rate_percent) / 100))
        form[f"counted_{key}"] = "on" if cat.active else ""
    rules = list(bank.incentives or [])
    for i, rule in enumerate(rules):
        form[f"inc_key_{i}"] = str(rule.get("key", ""))
        form[f"inc_name_{i}"] = str(rule.get("name", ""))
        form[f"inc_threshold_{i}"] = hours(int(rule.get("threshold", 0)))
        form[f"inc_bonus_{i}"] = hours(int(rule.get("bonus", 0)))
        form[f"inc_period_{i}"] = str(rule.get("period", "year"))
    form["inc_count"] = str(len(rules) + NEW_RULES)
    return form


def _minutes(raw: str, *, allow_negative: bool = False) -> tuple[int | None, str]:
    """Hours typed → minutes; ``(None, "")`` when blank, ``(None, why)`` when wrong."""
    text = raw.strip().replace("，", ".").replace(",", ".")
    if not text:
        return None, ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, _("Enter a number of hours, e.g. 1.5.")
    if not value.is_finite() or abs(value) > MAX_HOURS:
        return None, _("Enter a number of hours, e.g. 1.5.")
    if value < 0 and not allow_negative:
        return None, _("Enter zero or more hours.")
    return int((value * 60).to_integral_value()), ""


def _rate(raw: str) -> tuple[int | None, str]:
    try:
        value = Decimal(raw.strip().replace("，", ".").replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value > 10:
        return None, _("Enter hours credited per hour served, from 0 to 10 (e.g. 1.5).")
    return int((value * 100).to_integral_value()), ""


def check_limits(form: dict[str, Any], errors: dict[str, str]) -> banks.BankRules:
    """The limits of the form (hours typed; blank: no limit), each wrong field's message put in ``errors``."""
    rules = banks.BankRules()
    values: dict[str, int | None] = {}
    for name in ("min_balance", "max_balance", "yearly_cap", "gift_yearly_max"):
        values[name], why = _minutes(str(form.get(name, "")), allow_negative=name == "min_balance")
        if why:
            errors[name] = why
    rules.min_balance = values["min_balance"] or 0
    if rules.min_balance > 0:
        errors["min_balance"] = _("The minimum balance cannot be above zero (0 = no overdraft).")
    rules.max_balance, rules.yearly_cap, rules.gift_yearly_max = (
        values["max_balance"],
        values["yearly_cap"],
        values["gift_yearly_max"],
    )
    if rules.max_balance is not None and rules.max_balance <= max(rules.min_balance, 0):
        errors.setdefault("max_balance", _("The maximum balance must be above zero and the minimum."))
    if rules.yearly_cap == 0:
        errors.setdefault("yearly_cap", _("Leave empty for no cap, or enter more than zero hours."))
    months = str(form.get("expiry_months", "")).strip()
    if months:
        if not months.isdigit() or not 1 <= int(months) <= 120:
            errors["expiry_months"] = _("Enter whole months from 1 to 120, or leave empty for no expiry.")
        else:
            rules.expiry_months = int(months)
    return rules


def _incentives(form: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    count = int(form["inc_count"]) if str(form.get("inc_count", "")).isdigit() else 0
    keys: set[str] = set()
    for i in range(min(count, 50)):
        name = str(form.get(f"inc_name_{i}", "")).strip()
        threshold_raw = str(form.get(f"inc_threshold_{i}", "")).strip()
        bonus_raw = str(form.get(f"inc_bonus_{i}", "")).strip()
        if form.get(f"inc_remove_{i}") == "on" or not (name or threshold_raw or bonus_raw):
            continue
        key = str(form.get(f"inc_key_{i}", "")).strip() or f"rule_{i + 1}"
        while key in keys:
            key = f"{key}_{i + 1}"
        keys.add(key)
        if not name or len(name) > 60:
            errors[f"inc_name_{i}"] = _("Give the rule a name of at most 60 characters, e.g. 100 hours badge.")
        threshold, why = _minutes(threshold_raw)
        if why or not threshold:
            errors[f"inc_threshold_{i}"] = why or _("Enter the verified hours that earn it, more than zero.")
        bonus, why = _minutes(bonus_raw)
        if why:
            errors[f"inc_bonus_{i}"] = why
        period = str(form.get(f"inc_period_{i}", "year"))
        if period not in {"year", "ever"}:
            errors[f"inc_period_{i}"] = _("Choose per year or once ever.")
        found.append({"key": key, "name": name, "threshold": threshold or 0, "bonus": bonus or 0, "period": period})
    return found


def check_rules(form: dict[str, Any], cats: dict[str, Category]) -> RulesDraft:
    """Check every field of the form against the bank's categories; the draft's ``errors`` say what is wrong."""
    draft = RulesDraft()
    draft.rules = check_limits(form, draft.errors)
    draft.rules.incentives = _incentives(form, draft.errors)
    for key in cats:
        rate, why = _rate(str(form.get(f"rate_{key}", "")))
        if why:
            draft.errors[f"rate_{key}"] = why
        draft.categories[key] = (form.get(f"counted_{key}") == "on", rate or 0)
    if not any(counted for counted, _rate_value in draft.categories.values()) and not form.get("new_name_zh"):
        draft.errors["categories"] = _("At least one category must be counted.")
    new_key = str(form.get("new_key", "")).strip()
    new_zh = str(form.get("new_name_zh", "")).strip()
    if new_key or new_zh:
        if not _KEY.match(new_key) or new_key in cats:
            draft.errors["new_key"] = _(
                "A new code: lowercase letters, digits and _, starting with a letter, not used yet (e.g. repair)."
            )
        if not new_zh or len(new_zh) > 40:
            draft.errors["new_name_zh"] = _("Give the Chinese name, at most 40 characters.")
        rate, why = _rate(str(form.get("new_rate", "") or "1"))
        if why:
            draft.errors["new_rate"] = why
        draft.new_category = (new_key, new_zh, str(form.get("new_name_en", "")).strip()[:60], rate or 0)
    return draft


async def save_rules(session: AsyncSession, bank: Bank, cats: dict[str, Category], draft: RulesDraft) -> None:
    """Write a checked draft: the limits through ``update_rules``, then the categories."""
    assert not draft.errors
    await banks.update_rules(session, bank, draft.rules)
    for key, (counted, rate) in draft.categories.items():
        cats[key].active = counted
        cats[key].rate_percent = rate
    if draft.new_category:
        key, zh, en, rate = draft.new_category
        session.add(
            Category(district_id=bank.district_id, bank_id=bank.id, key=key, name_zh=zh, name_en=en, rate_percent=rate)
        )
    await session.flush()
