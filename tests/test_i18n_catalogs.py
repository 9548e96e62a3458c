"""Every message the core and the plugins show has one Chinese translation (zh-CN is the default)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}}


def _catalog(paths: list[Path]) -> dict[str, dict[str, str]]:
    """msgid → {catalog name: translation} for the given .po files."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for po in paths:
        with po.open("rb") as handle:
            for message in read_po(handle):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else message.string[0]
                if msgid and text:
                    found[msgid][str(po.relative_to(ROOT))] = text
    return found


def _used(directory: Path) -> dict[str, str]:
    """msgid → first place it is used, extracted from Python and Jinja sources."""
    used: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(directory), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid and "/tests/" not in f"/{filename}":
            used.setdefault(msgid, f"{directory.relative_to(ROOT)}/{filename}:{lineno}")
    return used


CORE_POS = sorted(ROOT.glob("core/i18n/locale/zh_CN/LC_MESSAGES/*.po"))
CORE = _catalog(CORE_POS)


def test_core_catalogs_agree():
    """No message is translated two different ways in the core's catalogs."""
    conflicts = {k: v for k, v in CORE.items() if len(set(v.values())) > 1}
    assert conflicts == {}


def test_core_messages_are_translated():
    """Every message used in core/ and templates/ has a zh_CN translation."""
    used = {**_used(ROOT / "core"), **_used(ROOT / "templates")}
    missing = {msgid: where for msgid, where in used.items() if msgid not in CORE}
    assert missing == {}


def test_plugin_messages_are_translated():
    """Every message a built-in plugin uses is translated by its own catalog or the core's."""
    missing: dict[str, str] = {}
    for plugin in sorted(p for p in (ROOT / "plugins").iterdir() if (p / "hooks.py").is_file()):
        own = _catalog(sorted(plugin.glob("locale/zh_CN/LC_MESSAGES/*.po")))
        for msgid, where in _used(plugin).items():
            if msgid not in own and msgid not in CORE:
                missing[msgid] = where
    assert missing == {}
