"""The project account's statement as a printable PDF (A4, the core's CJK font)."""

from __future__ import annotations

from datetime import datetime

from core.plugin_api import TIMEZONE, new_cjk_pdf, utcnow
from plugins.grants.exports_awards import FUNDER_KINDS_ZH, ProjectLedger, yuan

__all__ = ("ledger_pdf",)


def ledger_pdf(project: ProjectLedger, organization: str, district: str, now: datetime | None = None) -> bytes:
    """Heading, the project and organization, the funders with their commitments, every posting with the
    running balance, opening and closing balance, the day it was printed."""
    from fpdf.fonts import FontFace  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    app = project.application
    heading = "公益创投项目账户对账单"
    pdf = new_cjk_pdf(heading)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=10.5)
    for line in (f"项目：{app.title}", f"申报组织：{organization}", f"资助金额：{yuan(app.award_fen or 0)} 元"):
        pdf.multi_cell(0, 6, line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    style = FontFace(emphasis="", fill_color=(235, 235, 235))
    pdf.set_font("cjk", size=9.5)
    with pdf.table(
        col_widths=(70, 50, 60), text_align=("LEFT", "LEFT", "RIGHT"), line_height=6, headings_style=style
    ) as table:
        table.row(("资金方", "类型", "承诺金额（元）"))
        for f in project.funders:
            table.row((f.name, FUNDER_KINDS_ZH.get(f.kind, f.kind), yuan(f.committed_fen)))
        table.row(("合计", "", yuan(project.committed)))
    pdf.ln(4)
    with pdf.table(
        col_widths=(24, 96, 30, 30), text_align=("LEFT", "LEFT", "RIGHT", "RIGHT"), line_height=6, headings_style=style
    ) as table:
        table.row(("日期", "摘要", "金额（元）", "余额（元）"))
        table.row(("", "期初余额", "", yuan(project.opening)))
        for day, text, amount, balance in project.rows():
            table.row((day, text, yuan(amount), yuan(balance)))
        table.row(("", "期末余额", "", yuan(project.closing)))
    pdf.ln(6)
    printed = (now or utcnow()).astimezone(TIMEZONE)
    pdf.cell(0, 6, district, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 6, f"打印日期：{printed.year}年{printed.month}月{printed.day}日", align="R", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
