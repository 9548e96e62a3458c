"""The plugin's Chinese catalog, and the demo's morning at the window."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "zh_CN" / "LC_MESSAGES" / "one_window.po"


def test_every_message_is_translated():
    """Every message id of the zh_CN catalog has a translation."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"untranslated in {CATALOG.name}: {untranslated}"
