"""Where notices go: the in-app inbox (always), and channels plugins add (SMS, messaging apps).

A channel is an object with a ``key``, Chinese and English names, and two coroutines:
``send(message)`` for one notice at once, ``send_digest(digest)`` for a person's daily
digest. Each returns ``True`` when it reached the person (``False``: e.g. no phone number
on file). Channels are never called inside the transaction that wrote the notice: the
notice row is the outbox, and :func:`core.notifications.service.dispatch` sends what is
pending after it was committed, so a rolled-back change never sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from core.plugins.host import PluginHost

__all__ = ("IN_APP", "Channel", "DigestMessage", "InAppChannel", "OutgoingMessage", "load_channels")


@dataclass(frozen=True)
class OutgoingMessage:
    """One notice, rendered in the recipient's language, as a channel sends it."""

    user_id: int
    username: str
    phone: str
    email: str
    locale: str
    district_code: str
    kind: str
    title: str
    body: str
    link: str  # a path in the app (``/d/haishu/cases/HS-2026-0001``)


@dataclass(frozen=True)
class DigestMessage:
    """A person's digest of one day: the notices of digest-kinds not yet sent, rendered in their language."""

    user_id: int
    username: str
    phone: str
    email: str
    locale: str
    district_code: str
    title: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The digest as plain text: its title, then one line per notice."""
        return "\n".join([self.title, *(f"· {line}" for line in self.lines)])


@runtime_checkable
class Channel(Protocol):
    """What a channel implements (see docs/plugins/hooks.md, ``notification_channels``)."""

    key: str
    name_zh: str
    name_en: str

    async def send(self, message: OutgoingMessage) -> bool: ...

    async def send_digest(self, digest: DigestMessage) -> bool: ...


class InAppChannel:
    """The inbox: the notice row is the delivery, so there is nothing more to send."""

    key = "in_app"
    name_zh = "站内消息"
    name_en = "In-app inbox"

    async def send(self, message: OutgoingMessage) -> bool:
        return True

    async def send_digest(self, digest: DigestMessage) -> bool:
        return True


IN_APP = InAppChannel()


def load_channels(host: PluginHost) -> list[Channel]:
    """The in-app channel first, then every channel the installed plugins return from ``notification_channels``."""
    channels: list[Channel] = [IN_APP]
    for result in host.hook.notification_channels():
        for channel in [result] if isinstance(result, Channel) else list(result or []):
            if any(c.key == channel.key for c in channels):
                msg = f"notification channel {channel.key!r} is declared twice"
                raise ValueError(msg)
            channels.append(channel)
    return channels
