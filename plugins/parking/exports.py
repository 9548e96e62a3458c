"""Exports of parking self-governance: a published statement as PDF and XLSX, an estate's violations as XLSX.

The statement is printed from what was published (the stored canonical content), with
its SHA-256 on the page, so a printout can be checked against the public page. PDFs use
the core's CJK helper (:func:`core.plugin_api.new_cjk_pdf`: fpdf2 with Noto Sans CJK);
workbooks are written with openpyxl. Plates in the violations workbook are masked
(``浙B·12***``): the file travels further than the committee's page.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.plugin_api import TIMEZONE, FontMissing, format_amount, new_cjk_pdf
from plugins.parking.plates import mask_plate

if TYPE_CHECKING:
    from plugins.parking.models_money import ParkingStatement
    from plugins.parking.models_patrols import Violation

__all__ = (
    "XLSX",
    "FontMissing",
    "mask_plate",
    "statement_pdf",
    "statement_rows",
    "statement_xlsx",
    "violations_xlsx",
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCES_ZH = {"permit": "停车卡费", "tidal": "潮汐租金", "expense": "支出", "reversal": "冲正", "dividend": "结余分红"}
STEPS_ZH = {"warning": "警告", "recorded": "记录在案", "suspension": "停车卡暂停"}
STATUSES_ZH = {
    "open": "已记录，已通知车主",
    "corrected": "已纠正（结案）",
    "disputed": "有异议，调解中",
    "referred": "已提交社区居委会",
    "upheld": "维持",
    "withdrawn": "已撤销",
}


def _yuan(fen: int) -> str:
    return format_amount(int(fen), "fen", "zh")


def _content(statement: ParkingStatement) -> dict[str, Any]:
    return dict(json.loads(statement.content))


def statement_rows(statement: ParkingStatement) -> list[tuple[str, str, str, str]]:
    """The published lines as printed: date, description, source (Chinese), signed amount."""
    return [
        (
            str(line.get("date", "")),
            str(line.get("description", "")),
            SOURCES_ZH.get(str(line.get("source", "")), "其他"),
            ("+" if int(line["amount_fen"]) > 0 else "−") + _yuan(abs(int(line["amount_fen"]))),
        )
        for line in _content(statement)["lines"]
    ]


def _title(statement: ParkingStatement) -> str:
    body = _content(statement)
    return f"{body['estate']} 停车自管收支月报 {body['month']}"


def statement_pdf(statement: ParkingStatement) -> bytes:
    """The published statement on A4: figures, every line, and the SHA-256 it was published with."""
    from fpdf.fonts import FontFace  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    pdf = new_cjk_pdf(_title(statement))
    pdf.set_subject(f"SHA-256 {statement.sha256}")  # in the file's properties too, for a machine to compare
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, _title(statement), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    published = statement.published_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    for text in (
        f"期初余额：{_yuan(statement.opening)}",
        f"本月收入：{_yuan(statement.income)}",
        f"本月支出：{_yuan(statement.expenses)}",
        f"期末余额：{_yuan(statement.closing)}",
        f"公布时间：{published}（公布后不可更改，更正记入以后月份）",
    ):
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    rows = statement_rows(statement)
    if rows:
        heading = FontFace(emphasis="", fill_color=(235, 235, 235))
        with pdf.table(
            col_widths=(24, 100, 24, 32),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
            line_height=6,
            headings_style=heading,
        ) as table:
            table.row(("日期", "摘要", "类别", "金额"))
            for row in rows:
                table.row(row)
    else:
        pdf.cell(0, 6, "本月没有收支。", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(
        0, 5, f"SHA-256（公布内容的指纹，可在公示页面核对）：\n{statement.sha256}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("cjk", size=8)
    pdf.cell(0, 6, f"打印时间：{datetime.now(TIMEZONE).strftime('%Y-%m-%d %H:%M')}")
    return bytes(pdf.output())


def statement_xlsx(statement: ParkingStatement) -> bytes:
    """The same statement as a workbook: amounts in fen (numbers, for sums) and as yuan text; the SHA-256."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    body = _content(statement)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "收支月报"
    sheet.append([_title(statement)])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, fen in (
        ("期初余额（分）", statement.opening),
        ("本月收入（分）", statement.income),
        ("本月支出（分）", statement.expenses),
        ("期末余额（分）", statement.closing),
    ):
        sheet.append([label, fen, _yuan(fen)])
    sheet.append([])
    sheet.append(["日期", "摘要", "类别", "金额（分）", "金额"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in body["lines"]:
        fen = int(line["amount_fen"])
        sheet.append(
            [
                str(line.get("date", "")),
                str(line.get("description", "")),
                SOURCES_ZH.get(str(line.get("source", "")), "其他"),
                fen,
                ("+" if fen > 0 else "−") + _yuan(abs(fen)),
            ]
        )
    sheet.append([])
    sheet.append(["公布时间", statement.published_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")])
    sheet.append(["SHA-256", statement.sha256])
    for column, width in zip("ABCDE", (14, 48, 12, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def violations_xlsx(estate_name: str, rows: list[Violation]) -> bytes:
    """An estate's violations: time, place, masked plate, step, state, evidence, dispute."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "违规记录"
    sheet.append([f"{estate_name} 停车违规记录"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["时间", "地点", "车牌（已遮挡）", "第几次（30 天内）", "处理步骤", "状态", "证据", "异议"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for v in rows:
        evidence = "照片" if v.photo_key else ""
        if v.witness_id:
            evidence = f"{evidence}、巡查员作证" if evidence else "巡查员作证"
        sheet.append(
            [
                v.observed_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                v.place,
                mask_plate(v.plate),
                v.ordinal,
                STEPS_ZH.get(v.step, "其他"),
                STATUSES_ZH.get(v.status, "其他"),
                evidence,
                "有" if v.disputed_at else "",
            ]
        )
    for column, width in zip("ABCDEFGH", (18, 24, 14, 16, 14, 16, 18, 8), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
