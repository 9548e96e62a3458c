"""The core's notification service: notices for people, in the inbox and through other channels.

What services and plugins use::

    from core.notifications import notify
    await notify(session, [user_id], "core.assigned", {"reference": ..., "actor": ...}, link)

The notice is written in ``session``'s transaction (committed with its cause or not at
all). Kinds come from the core and from plugins (``notification_kinds`` hook), channels
from plugins (``notification_channels`` hook); see docs/notifications.md.
"""

from __future__ import annotations

from core.notifications.channels import IN_APP, Channel, DigestMessage, InAppChannel, OutgoingMessage, load_channels
from core.notifications.kinds import CORE_KINDS, NotificationKind, all_kinds, kind_for, load_kinds
from core.notifications.service import (
    Notice,
    PreferenceRow,
    build_digests,
    dispatch,
    list_notices,
    mark_all_read,
    mark_read,
    notice_count,
    notify,
    preferences,
    render_notice,
    set_preferences,
    unread_count,
)

__all__ = (
    "CORE_KINDS",
    "IN_APP",
    "Channel",
    "DigestMessage",
    "InAppChannel",
    "Notice",
    "NotificationKind",
    "OutgoingMessage",
    "PreferenceRow",
    "all_kinds",
    "build_digests",
    "dispatch",
    "kind_for",
    "list_notices",
    "load_channels",
    "load_kinds",
    "mark_all_read",
    "mark_read",
    "notice_count",
    "notify",
    "preferences",
    "render_notice",
    "set_preferences",
    "unread_count",
)
