"""Labels of the plugin's vocabularies (never a raw key on a page).

Each label's msgid is its English text; ``locale/zh_CN/LC_MESSAGES/incubation.po`` gives the
Chinese (the pairs below say which; tests/test_catalog.py checks the catalog gives exactly those).
"""

from __future__ import annotations

from core.plugin_api import gettext, use_locale

__all__ = ("LABELS", "label")

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "stage": {
        "applied": ("已申请", "Applied"),
        "screened": ("已筛选", "Screened"),
        "filed": ("已备案", "Filed"),
        "resident": ("在孵（入驻）", "Resident"),
        "registered": ("已登记", "Registered"),
        "graduated": ("已出壳", "Graduated"),
        "exited": ("已退出", "Exited"),
    },
    "space": {"desk": ("工位", "Desk"), "office": ("独立办公室", "Office"), "shared_room": ("共享空间", "Shared room")},
    "mode": {"on_site": ("入驻孵化", "On site"), "virtual": ("虚拟孵化", "Virtual")},
    "mentor": {
        "social_worker": ("社工", "Social worker"),
        "expert": ("专家", "Expert"),
        "hub": ("枢纽型组织", "Hub organization"),
    },
    "phase": {
        "intake": ("入驻评估", "At intake"),
        "mid": ("中期评估", "Mid-way"),
        "final": ("出壳前评估", "Before graduation"),
    },
    "criterion": {"pending": ("未达成", "Pending"), "met": ("已达成", "Met"), "waived": ("已豁免", "Waived")},
}


def label(vocabulary: str, key: str | None, locale: str | None = None) -> str:
    """The label of ``key`` in ``vocabulary`` in the current (or given) locale; ``""`` for none."""
    if not key:
        return ""
    pair = LABELS.get(vocabulary, {}).get(key)
    if pair is None:
        return key
    if locale is None:
        return gettext(pair[1])  # the plugin's catalog (plugins/incubation/locale) gives the Chinese
    with use_locale(locale):
        return gettext(pair[1])
