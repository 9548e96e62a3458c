"""Compile every ``.po`` catalog of the core and the plugins to ``.mo`` (run by ``make``).

Compiled files are build output and are not committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def compile_all(root: Path = ROOT) -> int:
    """Compile each ``*.po`` under ``core/i18n/locale`` and ``plugins/*/locale``; return the count."""
    count = 0
    catalogs = [*root.glob("core/i18n/locale/*/LC_MESSAGES/*.po"), *root.glob("plugins/*/locale/*/LC_MESSAGES/*.po")]
    for po_path in catalogs:
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    return count


if __name__ == "__main__":
    n = compile_all()
    sys.stdout.write(f"compiled {n} catalogs\n")
