"""Printable minutes: A4 PDF with fpdf2 and Debian's Noto Sans CJK (the same approach as the time bank's statements).

``fpdf2`` is pure Python and embeds a subset of an OpenType (CFF) font, so a page of
Chinese stays small and prints the same everywhere. ``SANSHE_CJK_FONT`` may point at
another font file; ``scripts/setup.sh`` installs ``fonts-noto-cjk``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.i18n import TIMEZONE

if TYPE_CHECKING:
    from plugins.consultation_council.models import MinutesVersion

__all__ = ("FontMissing", "cjk_font", "minutes_pdf")

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
SC_FACE = 2  # in NotoSansCJK-Regular.ttc: JP, KR, SC, TC, HK
STATUS_ZH = {"draft": "草稿", "circulated": "征求意见稿", "final": "定稿"}


class FontMissing(RuntimeError):
    """No CJK font to print Chinese with."""


def cjk_font() -> Path:
    """The font file used for PDFs (``SANSHE_CJK_FONT`` or Debian's Noto Sans CJK)."""
    for candidate in (os.environ.get("SANSHE_CJK_FONT", ""), *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    msg = "没有中文字体：请安装 fonts-noto-cjk（scripts/setup.sh）/ no CJK font: install fonts-noto-cjk"
    raise FontMissing(msg)


def minutes_pdf(council: str, title: str, version: MinutesVersion) -> bytes:
    """The minutes as an A4 page: heading, version and status, the text, the lock line."""
    from fpdf import FPDF  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    path = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{council} {title} 会议纪要")
    pdf.set_creator("Sanshe 三社")
    face = SC_FACE if path.suffix == ".ttc" and "Noto" in path.name else 0
    pdf.add_font("cjk", fname=str(path), collection_font_number=face)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, f"{title} 会议纪要", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    status = STATUS_ZH.get(version.status, version.status)
    pdf.cell(0, 6, f"{council} · 第 {version.number} 版 · {status}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=11)
    for line in version.body.splitlines() or [""]:
        pdf.multi_cell(0, 6.5, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=8)
    locked = version.locked_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if version.locked_at else "—"
    printed = datetime.now(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    pdf.cell(0, 5, f"定稿时间：{locked}　打印时间：{printed}")
    return bytes(pdf.output())
