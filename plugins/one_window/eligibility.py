"""Eligibility conditions (受理条件) checked against the register of residents at the window.

An item states its conditions in free text (``Item.conditions``: what only documents can show —
income, a disability certificate …, shown at the window as 需核对材料) and carries the ones the
register can answer as data: the age rule (``min_age``/``max_age``) and ``Item.checks``:

- ``gender``: ``female`` or ``male`` (the recorded gender, or the ID number's 17th digit);
- ``residence``: ``0`` for a resident of the district, or the id of a street or community: the
  applicant is a member of a household whose estate lies there (本辖区居民);
- ``relations``: the applicant's relation to a household of the register, e.g. ``owner`` and
  ``co_owner`` for an item for home owners;
- ``no_duplicate``: the applicant has no request for the same item still being handled.

Each is checked at intake against the chosen resident: ``meets`` (符合), ``fails`` (不符合, with
the reason) or ``unknown`` (无法核对: not in the register or the datum missing; the staff check
the documents). Nothing is refused here: the staff decide, and receiving a request that fails a
condition takes their acknowledgement (:mod:`plugins.one_window.intake`). The register answers
through ``residents.age_of``, ``gender_of`` and ``is_household_member``: the plugin learns an age,
a gender or a yes / no, never a birth date, an ID number or an address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from core.plugin_api import OrgUnit, OrgUnitKind, residents
from core.plugin_api import gettext as _
from plugins.one_window.models import Intake, IntakeStatus, Item, ItemVersion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "GENDER_WORDS",
    "RELATION_PRESETS",
    "RELATION_WORDS",
    "AgeCheck",
    "Check",
    "Status",
    "age_check",
    "age_rule_text",
    "check_item",
    "condition_lines",
    "parse_checks",
    "place_names",
    "relation_text",
    "status_label",
)

Status = Literal["meets", "fails", "unknown"]
# The words of the XLSX cells and the public page (always Chinese there).
GENDER_WORDS = {"female": "女", "male": "男"}
RELATION_WORDS = {
    "owner": "产权人",
    "co_owner": "共有产权人",
    "tenant": "租户",
    "family": "家庭成员",
    "other": "其他成员",
}
_WORD_RELATIONS = {word: key for key, word in RELATION_WORDS.items()} | {"户主": "owner", "业主": "owner"}
# The relation choices of the item form: owners (产权人或共有产权人), tenants, either.
RELATION_PRESETS = (("owner", "co_owner"), ("tenant",), ("owner", "co_owner", "tenant"))
_DISTRICT_WORDS = {"0", "district", "本辖区", "本区", "辖区"}
_YES = {"on", "true", "1", "是", "yes", "y"}
_NO = {"", "off", "false", "0", "否", "no", "n"}
_SPLIT = ("、", ",", "，", ";", "；", " ")


def status_label(status: str) -> str:
    """符合 / 不符合 / 无法核对 in the user's language."""
    return {"meets": _("Meets"), "fails": _("Does not meet"), "unknown": _("Cannot be checked")}.get(status, "")


def age_rule_text(min_age: int | None, max_age: int | None) -> str:
    """The age rule in words: 年满 60 周岁 / 不超过 18 周岁 / 年满 16 周岁、不超过 59 周岁; "" when none."""
    if min_age is not None and max_age is not None:
        return _("aged %(low)s to %(high)s", low=min_age, high=max_age)
    if min_age is not None:
        return _("aged %(low)s or over", low=min_age)
    if max_age is not None:
        return _("aged %(high)s or under", high=max_age)
    return ""


def _gender_rule(gender: str) -> str:
    return _("women") if gender == "female" else _("men")


def _gender_person(gender: str) -> str:
    return _("a woman") if gender == "female" else _("a man")


def relation_text(relations: list[str] | tuple[str, ...]) -> str:
    """The relations in words: 产权人、共有产权人或租户."""
    words = {
        "owner": _("owner"),
        "co_owner": _("co-owner"),
        "tenant": _("tenant"),
        "family": _("family member"),
        "other": _("other member"),
    }
    named = [words.get(r, r) for r in relations]
    if len(named) < 2:
        return "".join(named)
    return _("%(first)s or %(last)s", first=_(", ").join(named[:-1]), last=named[-1])


def _place(residence: int, places: Mapping[int, str]) -> str:
    return _("the district") if residence == 0 else places.get(residence, _("the district"))


async def place_names(session: AsyncSession, locale: str) -> dict[int, str]:
    """The district's streets and communities (where a residence condition may point): id → name."""
    query = (
        select(OrgUnit)
        .where(OrgUnit.kind.in_((OrgUnitKind.STREET, OrgUnitKind.COMMUNITY)))
        .order_by(OrgUnit.code, OrgUnit.id)
    )
    return {unit.id: unit.name(locale) for unit in (await session.execute(query)).scalars()}


def condition_lines(item: Item | ItemVersion, places: Mapping[int, str]) -> list[str]:
    """The checked conditions in words, as the item's page and the public guide state them."""
    lines = []
    age = age_rule_text(item.min_age, item.max_age)
    if age:
        lines.append(_("Age: %(rule)s", rule=age))
    checks = item.checks or {}
    if checks.get("gender"):
        lines.append(_("Only %(who)s", who=_gender_rule(str(checks["gender"]))))
    if checks.get("residence") is not None:
        lines.append(
            _("A resident of %(place)s (a household in the register)", place=_place(checks["residence"], places))
        )
    if checks.get("relations"):
        lines.append(
            _("Recorded as %(relations)s of a home in the register", relations=relation_text(checks["relations"]))
        )
    if checks.get("no_duplicate"):
        lines.append(_("No second request while one for this item is being handled"))
    return lines


def _words(raw: Any) -> list[str]:
    if isinstance(raw, (list, tuple)):
        return [str(r).strip() for r in raw if str(r).strip()]
    text = str(raw or "")
    for mark in _SPLIT[1:]:
        text = text.replace(mark, _SPLIT[0])
    return [w.strip() for w in text.split(_SPLIT[0]) if w.strip()]


def parse_checks(
    raw: Mapping[str, Any], item: Item | None, places: Mapping[int, str], errors: dict[str, str]
) -> dict[str, Any]:
    """The checked conditions from a form, the API or an XLSX row; each key not given is kept from ``item``.

    ``gender``: female / male / 女 / 男 / empty. ``residence``: empty (no condition), ``0`` / 本辖区
    (the district), or a street's or community's id, code or name. ``relations``: a list or
    words separated by 、 (owner, co_owner, tenant, family, other or 产权人, 共有产权人, 租户 …).
    ``no_duplicate``: yes / no. A bad value puts its message under its key in ``errors``.
    """
    kept = dict(item.checks or {}) if item is not None else {}
    out: dict[str, Any] = {}
    gender = str(raw["gender"] or "").strip() if "gender" in raw else kept.get("gender", "")
    gender = {"女": "female", "男": "male"}.get(gender, gender)
    if gender not in ("", "female", "male"):
        errors["gender"] = _("Choose women, men or no condition.")
    elif gender:
        out["gender"] = gender
    residence = _residence(raw["residence"], places, errors) if "residence" in raw else kept.get("residence")
    if residence is not None:
        out["residence"] = residence
    given = _words(raw["relations"]) if "relations" in raw else list(kept.get("relations", []))
    relations = [_WORD_RELATIONS.get(w, w) for w in given]
    unknown = [w for w, r in zip(given, relations, strict=True) if r not in RELATION_WORDS]
    if unknown:
        errors["relations"] = _(
            "%(words)s is not a relation of the register (write 产权人, 共有产权人, 租户, 家庭成员 or 其他成员).",
            words="、".join(unknown),
        )
    elif relations:
        out["relations"] = [r for r in RELATION_WORDS if r in relations]  # the register's order, once each
    duplicate = raw["no_duplicate"] if "no_duplicate" in raw else kept.get("no_duplicate", False)
    flag = str(duplicate).strip().lower() if not isinstance(duplicate, bool) else ("1" if duplicate else "0")
    if flag not in _YES | _NO:
        errors["no_duplicate"] = _("Write 是 or 否.")
    elif flag in _YES:
        out["no_duplicate"] = True
    return out


def _residence(raw: Any, places: Mapping[int, str], errors: dict[str, str]) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    if text in _DISTRICT_WORDS:
        return 0
    if text.isdigit() and int(text) in places:
        return int(text)
    by_name = {name: unit_id for unit_id, name in places.items()}
    if text in by_name:
        return by_name[text]
    errors["residence"] = _("Choose the district or one of its streets or communities.")
    return None


@dataclass(frozen=True)
class Check:
    """One condition checked against the register: ``kind`` (age, gender, residence, relation, duplicate),
    ``status`` (meets / fails / unknown) and the line the window shows."""

    kind: str
    status: Status
    text: str

    def as_dict(self) -> dict[str, str]:
        """What the intake keeps of it."""
        return {"kind": self.kind, "status": self.status, "text": self.text}


@dataclass(frozen=True)
class AgeCheck:
    """The item's age rule checked against the register: ``meets``, ``fails`` or ``unknown`` (age not known).

    ``age`` is the applicant's age in whole years on the day (never the birth date: the
    registry does not give it out); ``rule`` the rule in words.
    """

    status: Status
    rule: str
    age: int | None

    @property
    def text(self) -> str:
        """The line the window shows (Chinese first)."""
        if self.status == "meets":
            return _(
                "Meets the age condition: the item requires %(rule)s (the applicant is %(age)s).",
                rule=self.rule,
                age=self.age,
            )
        if self.status == "fails":
            return _(
                "Does not meet the age condition: the item requires %(rule)s, the applicant is %(age)s.",
                rule=self.rule,
                age=self.age,
            )
        return _("The age cannot be checked against the register of residents: check the applicant's ID document.")


async def age_check(
    session: AsyncSession, item: Item | ItemVersion, person_id: int | None, on: date
) -> AgeCheck | None:
    """The item's age rule against the person's age on ``on``; ``None`` when the item has no age rule.

    An applicant not in the register (no ``person_id``) or without a known birth date is
    ``unknown``: the staff check the ID document. Nothing is refused here: staff decide.
    """
    if item.min_age is None and item.max_age is None:
        return None
    rule = age_rule_text(item.min_age, item.max_age)
    age = await residents.age_of(session, person_id, on) if person_id is not None else None
    if age is None:
        return AgeCheck("unknown", rule, None)
    fits = (item.min_age is None or age >= item.min_age) and (item.max_age is None or age <= item.max_age)
    return AgeCheck("meets" if fits else "fails", rule, age)


def _status(answer: bool | None) -> Status:
    return "unknown" if answer is None else ("meets" if answer else "fails")


async def check_item(
    session: AsyncSession,
    item: Item | ItemVersion,
    person_id: int | None,
    on: date,
    places: Mapping[int, str],
    *,
    item_id: int,
) -> list[Check]:
    """Every checked condition of ``item`` against the register for ``person_id`` (``None``: not in it)."""
    out: list[Check] = []
    ages = await age_check(session, item, person_id, on)
    if ages is not None:
        out.append(Check("age", ages.status, ages.text))
    checks = item.checks or {}
    if checks.get("gender"):
        out.append(await _gender(session, str(checks["gender"]), person_id))
    if checks.get("residence") is not None:
        place = _place(int(checks["residence"]), places)
        within = int(checks["residence"]) or None
        answer = await residents.is_household_member(session, person_id, within=within) if person_id else None
        texts = {
            "meets": _(
                "Meets the residence condition: the applicant is in a household of %(place)s in the register.",
                place=place,
            ),
            "fails": _(
                "Does not meet the residence condition: the item is for residents of %(place)s, and no household of "
                "the applicant in the register is there.",
                place=place,
            ),
            "unknown": _(
                "The residence cannot be checked against the register of residents (no household recorded): check "
                "the household register or residence permit."
            ),
        }
        out.append(Check("residence", _status(answer), texts[_status(answer)]))
    if checks.get("relations"):
        wanted = tuple(checks["relations"])
        words = relation_text(wanted)
        answer = await residents.is_household_member(session, person_id, relations=wanted) if person_id else None
        texts = {
            "meets": _(
                "Meets the home condition: the register records the applicant as %(relations)s of a home.",
                relations=words,
            ),
            "fails": _(
                "Does not meet the home condition: the item is for the %(relations)s of a home, and the register "
                "does not record the applicant as such.",
                relations=words,
            ),
            "unknown": _(
                "The home condition cannot be checked against the register of residents (no household recorded): "
                "check the title deed or the lease."
            ),
        }
        out.append(Check("relation", _status(answer), texts[_status(answer)]))
    if checks.get("no_duplicate"):
        out.append(await _duplicate(session, item_id, person_id))
    return out


async def _gender(session: AsyncSession, wanted: str, person_id: int | None) -> Check:
    gender = await residents.gender_of(session, person_id) if person_id else None
    if gender is None:
        text = _("The gender cannot be checked against the register of residents: check the applicant's ID document.")
        return Check("gender", "unknown", text)
    if gender == wanted:
        return Check(
            "gender", "meets", _("Meets the gender condition: the item is for %(who)s.", who=_gender_rule(wanted))
        )
    text = _(
        "Does not meet the gender condition: the item is only for %(who)s, the register records the applicant as "
        "%(gender)s.",
        who=_gender_rule(wanted),
        gender=_gender_person(gender),
    )
    return Check("gender", "fails", text)


async def _duplicate(session: AsyncSession, item_id: int, person_id: int | None) -> Check:
    if person_id is None:
        return Check(
            "duplicate",
            "unknown",
            _("A repeated request cannot be checked: the applicant is not chosen from the register."),
        )
    query = (
        select(Intake.reference)
        .where(
            Intake.item_id == item_id,
            Intake.person_id == person_id,
            Intake.status.in_((IntakeStatus.WAITING, IntakeStatus.ACCEPTED)),
        )
        .order_by(Intake.id)
        .limit(1)
    )
    open_one = (await session.execute(query)).scalar_one_or_none()
    if open_one is None:
        text = _(
            "Meets the condition of no repeated request: the applicant has no request for this item being handled."
        )
        return Check("duplicate", "meets", text)
    text = _(
        "Does not meet the condition of no repeated request: the applicant's request %(ref)s for this item is still "
        "being handled.",
        ref=open_one,
    )
    return Check("duplicate", "fails", text)
