"""Printable minutes: A4 PDF with fpdf2 and Debian's Noto Sans CJK (the same approach as the time bank's statements).

``fpdf2`` is pure Python and embeds a subset of an OpenType (CFF) font, so a page of
Chinese stays small and prints the same everywhere. ``SANSHE_CJK_FONT`` may point at
another font file; ``scripts/setup.sh`` installs ``fonts-noto-cjk``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.plugin_api import TIMEZONE, FontMissing, cjk_font, new_cjk_pdf

if TYPE_CHECKING:
    from plugins.consultation_council.models import MinutesVersion

__all__ = ("FontMissing", "cjk_font", "minutes_pdf")

STATUS_ZH = {"draft": "草稿", "circulated": "征求意见稿", "final": "定稿"}


def minutes_pdf(council: str, title: str, version: MinutesVersion) -> bytes:
    """The minutes as an A4 page: heading, version and status, the text, the lock line."""
    pdf = new_cjk_pdf(f"{council} {title} 会议纪要")
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
