"""Printable PDFs with Chinese text: fpdf2 and Debian's Noto Sans CJK, for every module.

``fpdf2`` is pure Python and embeds only the glyphs used from an OpenType (CFF) font,
so a page of Chinese stays small and prints the same everywhere. ``SANSHE_CJK_FONT``
may point at another font file; ``scripts/setup.sh`` installs ``fonts-noto-cjk``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ("FontMissing", "cjk_font", "new_cjk_pdf")

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
SC_FACE = 2  # in NotoSansCJK-Regular.ttc: JP, KR, SC, TC, HK


class FontMissing(RuntimeError):
    """No CJK font to print Chinese with."""


def cjk_font() -> Path:
    """The font file used for PDFs (``SANSHE_CJK_FONT`` or Debian's Noto Sans CJK)."""
    for candidate in (os.environ.get("SANSHE_CJK_FONT", ""), *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    msg = "没有中文字体：请安装 fonts-noto-cjk（scripts/setup.sh）/ no CJK font: install fonts-noto-cjk"
    raise FontMissing(msg)


def new_cjk_pdf(title: str) -> Any:
    """An A4 ``FPDF`` with the CJK font registered as ``"cjk"`` and a first page added."""
    from fpdf import FPDF  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    path = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Sanshe 三社")
    face = SC_FACE if path.suffix == ".ttc" and "Noto" in path.name else 0
    pdf.add_font("cjk", fname=str(path), collection_font_number=face)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf
