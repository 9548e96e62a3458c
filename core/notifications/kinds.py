"""Kinds of notice: the core's own and those plugins declare through ``notification_kinds()``.

A kind has a key (``core.mentioned``, ``consultation_council.notice``), a title and a body
template in Chinese and English with ``{name}`` placeholders filled from the notice's
parameters, whether it is on by default, how it is delivered by default (at once or in
the daily digest), and which roles may receive it (empty: everyone). Notices are stored
with their parameters, not their text, so each reader sees them in their own language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.plugins.host import PluginHost

__all__ = (
    "CORE_KINDS",
    "NotificationKind",
    "all_kinds",
    "kind_for",
    "load_kinds",
    "render",
)

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class NotificationKind:
    """What a kind of notice says and who gets it (returned by the ``notification_kinds`` hook)."""

    key: str
    title_zh: str
    title_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    default_on: bool = True
    default_mode: str = "instant"  # "instant" | "digest"
    roles: tuple[str, ...] = ()  # roles that may receive it; empty: every member of the district
    label_zh: str = ""  # shown on the preferences page; the title template when empty
    label_en: str = ""

    @property
    def plugin(self) -> str:
        """The plugin that declared the kind (``core`` for the core's own): the key's first part."""
        return self.key.split(".", 1)[0]

    def label(self, locale: str) -> str:
        """The kind's name on the preferences page."""
        if locale == "en":
            return self.label_en or self.label_zh or self.key
        return self.label_zh or self.label_en or self.key

    def title(self, locale: str, params: dict[str, Any]) -> str:
        """The title in ``locale`` (Chinese when no English is given)."""
        return render(self.title_en if locale == "en" and self.title_en else self.title_zh, params)

    def body(self, locale: str, params: dict[str, Any]) -> str:
        """The body in ``locale`` (Chinese when no English is given)."""
        return render(self.body_en if locale == "en" and self.body_en else self.body_zh, params)


def render(template: str, params: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders from ``params`` (a missing one becomes empty; no attribute access)."""
    return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), "")), template)


CORE_KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        key="core.mentioned",
        title_zh="{actor} 在案件 {reference} 中提到了你",
        title_en="{actor} mentioned you on case {reference}",
        body_zh="{excerpt}",
        body_en="{excerpt}",
        label_zh="评论中提到我",
        label_en="Someone mentions me in a comment",
    ),
    NotificationKind(
        key="core.assigned",
        title_zh="{actor} 把案件 {reference} 分配给了你",
        title_en="{actor} assigned case {reference} to you",
        body_zh="{title}",
        body_en="{title}",
        label_zh="案件分配给我",
        label_en="A case is assigned to me",
    ),
    NotificationKind(
        key="core.due_soon",
        title_zh="案件 {reference} 将于 {due} 到期",
        title_en="Case {reference} is due {due}",
        body_zh="{title}",
        body_en="{title}",
        label_zh="我的案件即将到期",
        label_en="A case of mine is due soon",
    ),
    NotificationKind(
        key="core.overdue",
        title_zh="案件 {reference} 已于 {due} 逾期",
        title_en="Case {reference} has been overdue since {due}",
        body_zh="{title}",
        body_en="{title}",
        label_zh="我的案件已逾期",
        label_en="A case of mine is overdue",
    ),
    NotificationKind(
        key="core.task_due_soon",
        title_zh="任务“{title}”（案件 {reference}）明天到期",
        title_en="Task \u201c{title}\u201d (case {reference}) is due tomorrow, {due}",
        body_zh="{partner}",
        body_en="{partner}",
        label_zh="我跟进的任务明天到期",
        label_en="A task I follow is due tomorrow",
    ),
    NotificationKind(
        key="core.task_overdue",
        title_zh="任务“{title}”（案件 {reference}）已逾期，应于 {due} 完成",
        title_en="Task \u201c{title}\u201d (case {reference}) is overdue: it was due {due}",
        body_zh="{partner}",
        body_en="{partner}",
        label_zh="我跟进的任务已逾期",
        label_en="A task I follow is overdue",
    ),
)

_registry: dict[str, NotificationKind] = {k.key: k for k in CORE_KINDS}
_loaded: WeakKeyDictionary[PluginHost, dict[str, NotificationKind]] = WeakKeyDictionary()


def _flatten(results: Iterable[Any]) -> list[NotificationKind]:
    out: list[NotificationKind] = []
    for result in results:
        if isinstance(result, NotificationKind):
            out.append(result)
        elif result:
            out.extend(result)
    return out


def load_kinds(host: PluginHost) -> dict[str, NotificationKind]:
    """Every kind: the core's, then each installed plugin's (``notification_kinds`` hook); kept per host."""
    kinds = _loaded.get(host)
    if kinds is None:
        kinds = {k.key: k for k in CORE_KINDS}
        for kind in _flatten(host.hook.notification_kinds()):
            if kind.key in kinds:
                msg = f"notification kind {kind.key!r} is declared twice"
                raise ValueError(msg)
            if kind.default_mode not in ("instant", "digest"):
                msg = f"notification kind {kind.key!r}: default_mode must be 'instant' or 'digest'"
                raise ValueError(msg)
            kinds[kind.key] = kind
        _loaded[host] = kinds
        _registry.update(kinds)
    return kinds


def all_kinds() -> dict[str, NotificationKind]:
    """The kinds known in this process (the core's, and the plugins' once a host has loaded them)."""
    return dict(_registry)


def kind_for(key: str) -> NotificationKind:
    """The kind ``key``; an undeclared one (a plugin since removed) shows its parameters' ``text``."""
    return _registry.get(key) or NotificationKind(key=key, title_zh="{text}", label_zh=key, label_en=key)
