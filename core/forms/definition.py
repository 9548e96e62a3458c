"""A form as data: fields with their options, loaded and checked from YAML or the builder.

Every problem found while loading names where it is (``fields[3].show_if``) and what is
wrong, so an integrator or a district admin can fix it at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.forms.expressions import ExpressionError, check
from core.forms.fields import FIELD_TYPES
from core.i18n import is_english, localized

__all__ = ("DefinitionError", "FieldDef", "FormDef", "Problem", "parse_form")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
RESERVED = {"title", "state", "reference", "assignee", "team", "priority", "channel", "due_at", "id", "version"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (a path inside it) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(ValueError):
    """A definition refused when loaded; ``problems`` lists every problem found, ``source`` the file."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class FieldDef:
    """One field of a form (see ``docs/plugins/case-types.md`` for every key)."""

    key: str
    type: str
    label_zh: str
    label_en: str = ""
    help_zh: str = ""
    help_en: str = ""
    required: bool = False
    required_if: str | None = None
    show_if: str | None = None
    choices: tuple[tuple[str, str, str], ...] = ()
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message_zh: str = ""
    pattern_message_en: str = ""
    default: Any = None
    not_future: bool = False
    overnight: bool = False
    min_items: int | None = None
    max_items: int | None = None
    expression: str | None = None
    placeholder: str = ""
    fields: tuple[FieldDef, ...] = ()

    @property
    def kind(self) -> Any:
        return FIELD_TYPES[self.type]

    def label(self, locale: str) -> str:
        return localized(self.label_zh, self.label_en, locale)

    def help(self, locale: str) -> str:
        return localized(self.help_zh, self.help_en, locale)

    def choice_values(self) -> list[str]:
        return [c[0] for c in self.choices]

    def choice_label(self, value: str, locale: str) -> str:
        for key, zh, en in self.choices:
            if key == value:
                return localized(zh, en, locale)
        return value

    def pattern_message(self) -> str:

        en = is_english()
        return (self.pattern_message_en if en and self.pattern_message_en else self.pattern_message_zh) or ""

    def to_dict(self) -> dict[str, Any]:
        """The YAML form of this field (only keys that differ from the defaults)."""
        out: dict[str, Any] = {"key": self.key, "type": self.type, "label": {"zh": self.label_zh}}
        if self.label_en:
            out["label"]["en"] = self.label_en
        if self.help_zh or self.help_en:
            out["help"] = {k: v for k, v in (("zh", self.help_zh), ("en", self.help_en)) if v}
        if self.choices:
            out["choices"] = [
                {"value": v, "label": {"zh": zh, **({"en": en} if en else {})}} for v, zh, en in self.choices
            ]
        if self.pattern_message_zh or self.pattern_message_en:
            out["pattern_message"] = {
                k: v for k, v in (("zh", self.pattern_message_zh), ("en", self.pattern_message_en)) if v
            }
        for name in (
            "required",
            "required_if",
            "show_if",
            "min",
            "max",
            "min_length",
            "max_length",
            "pattern",
            "default",
            "not_future",
            "overnight",
            "min_items",
            "max_items",
            "expression",
            "placeholder",
        ):
            value = getattr(self, name)
            if value not in (None, False, ""):
                out[name] = value
        if self.fields:
            out["fields"] = [f.to_dict() for f in self.fields]
        return out


@dataclass(frozen=True)
class FormDef:
    """An ordered list of fields."""

    fields: tuple[FieldDef, ...] = field(default_factory=tuple)

    def get(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)

    def sample(self) -> dict[str, Any]:
        """A value of the right type for every field (to check conditions when loading)."""
        return {f.key: f.kind.sample for f in self.fields}

    def to_list(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.fields]


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or "")
    return str(value or "") if lang == "zh" else ""


_KNOWN_KEYS = {
    "key",
    "type",
    "label",
    "help",
    "required",
    "required_if",
    "show_if",
    "choices",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "default",
    "not_future",
    "overnight",
    "min_items",
    "max_items",
    "expression",
    "placeholder",
    "fields",
}


def _parse_field(raw: Any, path: str, problems: list[Problem], *, nested: bool = False) -> FieldDef | None:
    if not isinstance(raw, dict):
        problems.append(Problem(path, "字段必须是映射 / a field must be a mapping"))
        return None
    for unknown in sorted(set(raw) - _KNOWN_KEYS):
        problems.append(Problem(f"{path}.{unknown}", f"未知的字段属性 / unknown field key {unknown!r}"))
    key = str(raw.get("key") or "")
    if not KEY_RE.match(key):
        problems.append(Problem(f"{path}.key", f"字段键须为小写字母开头的字母数字下划线 / invalid field key {key!r}"))
    elif key in RESERVED and not nested:
        problems.append(Problem(f"{path}.key", f"字段键 {key} 为系统保留 / field key {key!r} is reserved"))
    ftype = str(raw.get("type") or "")
    if ftype not in FIELD_TYPES:
        known = ", ".join(sorted(FIELD_TYPES))
        problems.append(
            Problem(f"{path}.type", f"未知的字段类型 {ftype!r} / unknown field type {ftype!r} (known: {known})")
        )
        return None
    label_zh = _text(raw.get("label"), "zh")
    if not label_zh:
        problems.append(Problem(f"{path}.label", "缺少中文标签 / a Chinese label (label.zh) is required"))
    choices: list[tuple[str, str, str]] = []
    for i, choice in enumerate(raw.get("choices") or []):
        if isinstance(choice, dict) and "value" in choice:
            label = choice.get("label", choice["value"])
            choices.append((str(choice["value"]), _text(label, "zh") or str(choice["value"]), _text(label, "en")))
        elif isinstance(choice, str):
            choices.append((choice, choice, ""))
        else:
            problems.append(Problem(f"{path}.choices[{i}]", "选项须为 {value, label} / a choice needs value and label"))
    if ftype in {"choice", "multi_choice"} and not choices:
        problems.append(Problem(f"{path}.choices", "选择题至少需要一个选项 / a choice field needs choices"))
    if len({c[0] for c in choices}) != len(choices):
        problems.append(Problem(f"{path}.choices", "选项值重复 / duplicate choice values"))
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            problems.append(Problem(f"{path}.pattern", f"正则表达式无效 / invalid pattern: {exc}"))
    if ftype == "computed" and not raw.get("expression"):
        problems.append(Problem(f"{path}.expression", "计算字段需要表达式 / a computed field needs an expression"))
    sub_fields: list[FieldDef] = []
    if ftype == "group":
        if nested:
            problems.append(Problem(path, "重复组不能嵌套 / repeating groups cannot be nested"))
        raw_subs = raw.get("fields") or []
        if not raw_subs:
            problems.append(Problem(f"{path}.fields", "重复组至少需要一个字段 / a repeating group needs fields"))
        for i, sub in enumerate(raw_subs):
            parsed = _parse_field(sub, f"{path}.fields[{i}]", problems, nested=True)
            if parsed is not None:
                sub_fields.append(parsed)
    ints = {}
    for name in ("min_length", "max_length", "min_items", "max_items"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append(Problem(f"{path}.{name}", f"须为非负整数 / {name} must be a whole number ≥ 0"))
            value = None
        ints[name] = value
    return FieldDef(
        key=key,
        type=ftype,
        label_zh=label_zh,
        label_en=_text(raw.get("label"), "en"),
        help_zh=_text(raw.get("help"), "zh"),
        help_en=_text(raw.get("help"), "en"),
        required=bool(raw.get("required", False)),
        required_if=raw.get("required_if") or None,
        show_if=raw.get("show_if") or None,
        choices=tuple(choices),
        min=raw.get("min"),
        max=raw.get("max"),
        pattern=str(pattern) if pattern is not None else None,
        pattern_message_zh=_text(raw.get("pattern_message"), "zh"),
        pattern_message_en=_text(raw.get("pattern_message"), "en"),
        default=raw.get("default"),
        not_future=bool(raw.get("not_future", False)),
        overnight=bool(raw.get("overnight", False)),
        expression=raw.get("expression") or None,
        placeholder=str(raw.get("placeholder") or ""),
        fields=tuple(sub_fields),
        **ints,
    )


def parse_form(raw: Any, path: str = "form", problems: list[Problem] | None = None) -> FormDef:
    """Build a :class:`FormDef` from its YAML/JSON form; raise :class:`DefinitionError` on any problem.

    Pass ``problems`` to collect into an outer list instead of raising.
    """
    own = problems if problems is not None else []
    before = len(own)
    items = raw.get("fields") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        own.append(Problem(path, "表单需要字段列表 / a form needs a list of fields"))
        items = []
    indexed: list[tuple[int, FieldDef]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        parsed = _parse_field(item, f"{path}.fields[{i}]", own)
        if parsed is None:
            continue
        if parsed.key in seen:
            own.append(Problem(f"{path}.fields[{i}].key", f"字段键重复 / duplicate field key {parsed.key!r}"))
        seen.add(parsed.key)
        indexed.append((i, parsed))
    form = FormDef(tuple(f for _, f in indexed))
    _check_conditions(form, indexed, path, own)
    if problems is None and len(own) > before:
        raise DefinitionError(own)
    return form


def _check_conditions(form: FormDef, indexed: list[tuple[int, FieldDef]], path: str, problems: list[Problem]) -> None:
    sample = form.sample()
    for i, f in indexed:
        for attr in ("show_if", "required_if", "expression"):
            expression = getattr(f, attr)
            if expression:
                try:
                    check(str(expression), sample)
                except ExpressionError as exc:
                    problems.append(Problem(f"{path}.fields[{i}].{attr}", str(exc)))
        if f.type == "group":
            sub_sample = {**sample, **{s.key: s.kind.sample for s in f.fields}}
            for j, sub in enumerate(f.fields):
                for attr in ("show_if", "required_if"):
                    expression = getattr(sub, attr)
                    if expression:
                        try:
                            check(str(expression), sub_sample)
                        except ExpressionError as exc:
                            problems.append(Problem(f"{path}.fields[{i}].fields[{j}].{attr}", str(exc)))
