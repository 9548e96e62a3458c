"""Demo data for ``sanshe demo`` and the plugin's Chinese catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from plugins.one_window.seed import DEMO_ITEMS

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "zh_CN" / "LC_MESSAGES" / "one_window.po"


def test_demo_items_are_added_once(sanshe_factory, sanshe_client_for):
    """Seeding the demo twice shows each demo item exactly once on the page."""
    sanshe_factory.district()
    sanshe_factory.seed_demo("one_window")
    sanshe_factory.seed_demo("one_window")
    page = sanshe_client_for("resident").get("/d/haishu/one_window").text
    for title, _note in DEMO_ITEMS:
        assert page.count(title) == 1


def test_every_message_is_translated():
    """Every message id of the zh_CN catalog has a translation."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"untranslated in {CATALOG.name}: {untranslated}"
