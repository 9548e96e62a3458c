"""Member statements as printable PDF (fpdf2, with a CJK font embedded) and as XLSX (openpyxl).

PDF: ``fpdf2`` is pure Python, maintained, and embeds a *subset* of an OpenType font, so
a one-page statement stays small and prints the same everywhere. The font is Noto Sans
CJK SC from Debian's ``fonts-noto-cjk`` (installed by ``scripts/setup.sh``); ReportLab
was not chosen because it embeds TrueType outlines only, and Noto CJK is CFF-based.
``SANSHE_CJK_FONT`` may point at another font file (``.ttc`` uses its Simplified Chinese face).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from core.plugin_api import TIMEZONE, FontMissing, cjk_font, new_cjk_pdf

if TYPE_CHECKING:
    from core.plugin_api import Statement

__all__ = ("MOVEMENTS", "FontMissing", "StatementInfo", "cjk_font", "statement_pdf", "statement_rows", "statement_xlsx")

# The movements that are not a service category, as the (Chinese) statement names them.
MOVEMENTS = {"gift": "转赠", "redeem": "兑换", "incentive": "激励", "expiry": "到期收回", "reversal": "冲正"}


@dataclass(frozen=True)
class StatementInfo:
    """What the statement's heading says."""

    bank: str
    organization: str
    member: str
    period: str
    categories: dict[str, str] = field(default_factory=dict)  # the bank's category keys → Chinese names

    def category(self, key: str) -> str:
        """A line's category as the statement prints it: the bank's name for it, never its key."""
        return self.categories.get(key) or MOVEMENTS.get(key) or ("其他" if key else "")


def _fmt(minutes: int) -> str:
    from core.plugin_api import format_amount  # noqa: PLC0415

    return format_amount(minutes, "minutes", "zh")


def _local(when: datetime) -> str:
    return when.astimezone(TIMEZONE).strftime("%Y-%m-%d")


def statement_rows(info: StatementInfo, statement: Statement) -> list[tuple[str, str, str, str, str]]:
    """The statement's lines as printed: date, description, category name, signed amount, balance."""
    return [
        (
            _local(item.effective_at),
            item.reason,
            info.category(item.category),
            f"{'+' if item.amount > 0 else ''}{_fmt(item.amount)}",
            _fmt(item.balance),
        )
        for item in statement.lines
    ]


def statement_pdf(info: StatementInfo, statement: Statement) -> bytes:
    """A printable A4 statement: heading, opening balance, every movement with the running balance, closing."""
    from fpdf.fonts import FontFace  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    pdf = new_cjk_pdf(f"{info.bank} 对账单 {info.member}")
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, f"{info.bank} · 时间账户对账单", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for line in (
        f"运营机构：{info.organization}",
        f"成员：{info.member}",
        f"期间：{info.period}",
        f"期初余额：{_fmt(statement.opening)}",
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    widths = (26, 86, 24, 27, 27)
    align = ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT")
    heading = FontFace(emphasis="", fill_color=(235, 235, 235))
    with pdf.table(col_widths=widths, text_align=align, line_height=6, headings_style=heading) as table:
        table.row(("日期", "摘要", "类别", "金额", "余额"))
        for row in statement_rows(info, statement):
            table.row(row)
    pdf.ln(3)
    pdf.cell(
        0, 6, f"本期收入：{_fmt(statement.credits)}　本期支出：{_fmt(-statement.debits)}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, f"期末余额：{_fmt(statement.closing)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    pdf.cell(0, 6, f"打印时间：{datetime.now(TIMEZONE).strftime('%Y-%m-%d %H:%M')}")
    return bytes(pdf.output())


def statement_xlsx(info: StatementInfo, statement: Statement) -> bytes:
    """The same statement as a workbook: minutes as numbers (for sums) and as text people read."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "对账单"
    sheet.append([f"{info.bank} · 时间账户对账单"])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in (("运营机构", info.organization), ("成员", info.member), ("期间", info.period)):
        sheet.append([label, value])
    sheet.append(["期初余额（分钟）", statement.opening, _fmt(statement.opening)])
    sheet.append([])
    sheet.append(["日期", "摘要", "类别", "金额（分钟）", "余额（分钟）", "金额"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for item in statement.lines:
        sheet.append(
            [
                item.effective_at.astimezone(TIMEZONE).date(),
                item.reason,
                info.category(item.category),
                item.amount,
                item.balance,
                _fmt(item.amount),
            ]
        )
    sheet.append([])
    sheet.append(["期末余额（分钟）", statement.closing, _fmt(statement.closing)])
    for column, width in zip("ABCDEF", (12, 40, 10, 14, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
