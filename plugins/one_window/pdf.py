"""Printable papers of the window, A4 PDF in Chinese (the core's fpdf2 helper with Debian's Noto Sans CJK).

- the one-time notice (一次性告知单): exactly the documents still missing, the date and the place;
- the receipt (受理回执): the reference and the promised date;
- the notice of non-acceptance (不予受理通知书): the reason and the legal basis.

``SANSHE_CJK_FONT`` may point at another font file; without a CJK font the route answers
503 (:class:`FontMissing`), as the time bank's statements and the council's minutes do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugin_api import FontMissing, new_cjk_pdf

if TYPE_CHECKING:
    from datetime import date

    from plugins.one_window.intake import Notice

__all__ = ("FontMissing", "notice_pdf", "receipt_pdf", "refusal_pdf")


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _heading(pdf: Any, title: str, reference: str) -> None:
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, f"受理编号：{reference}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=11.5)


def _para(pdf: Any, text: str, height: float = 7) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _footer(pdf: Any, office: str, day: date | None) -> None:
    pdf.ln(10)
    pdf.cell(0, 7, office, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, _day(day), align="R", new_x="LMARGIN", new_y="NEXT")


def notice_pdf(notice: Notice) -> bytes:
    """The one-time notice: the applicant, the item, each missing document on its own line, deadline and place."""
    pdf = new_cjk_pdf(f"一次性告知单 {notice.reference}")
    _heading(pdf, "一次性告知单", notice.reference)
    _para(pdf, f"{notice.applicant}：")
    _para(
        pdf,
        f"　　您申请办理的“{notice.item_title}”（事项编码 {notice.item_code}，承办部门：{notice.department}）"
        f"尚缺以下材料，现一次性告知如下：",
    )
    pdf.ln(1)
    for number, line in enumerate(notice.documents, start=1):
        _para(pdf, f"　　{number}. {line}")
    if not notice.documents:
        _para(pdf, "　　材料已齐全，无需补充。")
    pdf.ln(2)
    if notice.documents:
        _para(pdf, f"　　请于 {_day(notice.deadline)} 前将上述材料送至：{notice.window_address}。")
        if notice.clock_paused:
            _para(pdf, "　　材料补齐前办理时限暂停计算，补齐之日起继续计算。")
    _footer(pdf, notice.window_address, notice.issued_on)
    return bytes(pdf.output())


def receipt_pdf(
    reference: str,
    applicant: str,
    item_title: str,
    item_code: str,
    *,
    received: list[str],
    day: date,
    promised: date | None,
    time_limit_days: int,
    office: str,
) -> bytes:
    """The receipt (受理回执): what was received, the reference to ask by, and the promised date."""
    pdf = new_cjk_pdf(f"受理回执 {reference}")
    _heading(pdf, "受理回执", reference)
    _para(pdf, f"{applicant}：")
    state = "已受理" if promised is not None else "已收件，待材料补齐后继续办理"
    _para(pdf, f"　　您于 {_day(day)} 申请办理的“{item_title}”（事项编码 {item_code}）{state}。")
    _para(pdf, "　　已收材料：" + ("、".join(received) if received else "无"))
    if promised is not None:
        _para(pdf, f"　　承诺时限 {time_limit_days} 个工作日，承诺办结日期：{_day(promised)}。")
    else:
        _para(pdf, f"　　承诺时限 {time_limit_days} 个工作日，自材料补齐之日起继续计算。")
    _para(pdf, f"　　请凭受理编号 {reference} 查询办理进度。")
    _footer(pdf, office, day)
    return bytes(pdf.output())


def refusal_pdf(
    reference: str, applicant: str, item_title: str, item_code: str, *, reason: str, basis: str, day: date, office: str
) -> bytes:
    """The notice of non-acceptance (不予受理通知书): the reason and the legal basis."""
    pdf = new_cjk_pdf(f"不予受理通知书 {reference}")
    _heading(pdf, "不予受理通知书", reference)
    _para(pdf, f"{applicant}：")
    _para(pdf, f"　　您申请办理的“{item_title}”（事项编码 {item_code}），经审查，决定不予受理。")
    _para(pdf, f"　　理由：{reason}")
    _para(pdf, f"　　依据：{basis}")
    _para(pdf, "　　如对本决定有异议，可依法申请行政复议或者提起行政诉讼。")
    _footer(pdf, office, day)
    return bytes(pdf.output())
