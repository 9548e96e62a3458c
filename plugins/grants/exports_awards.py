"""The award list of a call (XLSX and a printable PDF notice, 立项公示) and a project's ledger statement.

The award list is every application the determinations funded (``decision == "approved"``, closed projects
included), in category order then by amount: project, organization, category, amount, and an override's
published reason. The PDF is an A4 notice with the core's CJK font (``core.plugin_api.new_cjk_pdf``, as the
council's minutes and the time bank's statements print).

A project's ledger statement is every posting on the project's account (``grants:project:<id>``): tranches
paid and reversed, and any other transfer to or from it (e.g. a funder's contribution moved on the ledger),
with the running balance from the opening (0: the account starts empty) to the closing balance, and the
funders with what each committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import TIMEZONE, Refusal, ledger, organizations, utcnow
from plugins.grants.models import Application, Call, Funder

if TYPE_CHECKING:
    from core.plugin_api import RequestContext, Statement

__all__ = (
    "XLSX",
    "Award",
    "ProjectLedger",
    "award_list",
    "awards_pdf",
    "awards_xlsx",
    "ledger_xlsx",
    "notice_lines",
    "project_ledger",
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FUNDER_KINDS_ZH = {"district": "区级资金", "company": "企业认捐", "matching": "配套资金"}
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals and thousands separators: ``1,234.50``."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


@dataclass(frozen=True)
class Award:
    """One line of the award list."""

    number: int
    application_id: int
    title: str
    organization: str
    category: str
    award_fen: int
    override_reason: str


async def award_list(ctx: RequestContext, call: Call) -> list[Award]:
    """The call's funded projects (after its determinations were sent; 409 before)."""
    assert ctx.district is not None
    if call.decided_at is None:
        raise Refusal(
            "立项结果尚未公布，暂无资助名单。",
            "The results are not published yet: there is no award list.",
            status_code=409,
        )
    query = select(Application).where(
        Application.call_id == call.id, Application.decision == "approved", Application.award_fen.is_not(None)
    )
    apps = list((await ctx.session.execute(query)).scalars())
    position = {c.id: c.position for c in call.categories}
    names = {c.id: c.name for c in call.categories}
    apps.sort(key=lambda a: (position.get(a.category_id or 0, 10_000), -(a.award_fen or 0), a.id))
    orgs: dict[int, str] = {}
    awards = []
    for number, app in enumerate(apps, start=1):
        if app.organization_id not in orgs:
            org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
            orgs[app.organization_id] = org.name
        awards.append(
            Award(
                number,
                app.id,
                app.title,
                orgs[app.organization_id],
                names.get(app.category_id or 0, "未分类"),
                app.award_fen or 0,
                app.override_reason,
            )
        )
    return awards


def _local_day(when: datetime | None) -> str:
    return when.astimezone(TIMEZONE).strftime("%Y-%m-%d") if when else ""


async def awards_xlsx(ctx: RequestContext, call: Call) -> bytes:
    """The award list as a workbook: amounts in yuan as numbers (for sums), the total last."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    awards = await award_list(ctx, call)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "资助名单"
    sheet.append([f"{call.title} 立项名单"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["公布日期", _local_day(call.decided_at)])
    sheet.append([])
    sheet.append(["序号", "项目名称", "申报组织", "类别", "资助金额（元）", "调整说明"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for a in awards:
        sheet.append([a.number, a.title, a.organization, a.category, a.award_fen / 100, a.override_reason])
    sheet.append([])
    sheet.append(["合计", f"{len(awards)} 个项目", "", "", sum(a.award_fen for a in awards) / 100, ""])
    for column, width in zip("ABCDEF", (8, 36, 30, 14, 16, 36), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def notice_lines(district: str, call: Call, awards: list[Award]) -> tuple[str, str, list[str]]:
    """The notice's heading, its opening paragraph and its closing lines (the PDF prints these)."""
    total = sum(a.award_fen for a in awards)
    heading = f"关于{call.title}立项结果的公示"
    opening = (
        f"经形式审查、专家评审和评审委员会审议，{call.title}拟资助以下 {len(awards)} 个项目，"
        f"资助总额 {yuan(total)} 元。现予公示。"
    )
    closing = [f"{a.number}. {a.title}：{a.override_reason}" for a in awards if a.override_reason]
    if closing:
        closing.insert(0, "调整说明：")
    closing.append(f"{district}公益创投办公室")
    closing.append(_local_day(call.decided_at) or _local_day(utcnow()))
    return heading, opening, closing


async def awards_pdf(ctx: RequestContext, call: Call) -> bytes:
    """The award notice (立项公示) as an A4 page: heading, paragraph, the table, the total, override reasons."""
    from fpdf.fonts import FontFace  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    from core.plugin_api import new_cjk_pdf  # noqa: PLC0415

    assert ctx.district is not None
    awards = await award_list(ctx, call)
    heading, opening, closing = notice_lines(ctx.district.name_zh, call, awards)
    pdf = new_cjk_pdf(heading)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=11)
    # No break at the spaces around numbers (they would leave gaps): Chinese text wraps at any character.
    pdf.multi_cell(0, 6.5, opening.replace(" ", "\u00a0"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=9.5)
    style = FontFace(emphasis="", fill_color=(235, 235, 235))
    align = ("CENTER", "LEFT", "LEFT", "LEFT", "RIGHT")
    with pdf.table(col_widths=(10, 62, 52, 26, 30), text_align=align, line_height=6, headings_style=style) as table:
        table.row(("序号", "项目名称", "申报组织", "类别", "资助金额（元）"))
        for a in awards:
            table.row((str(a.number), a.title, a.organization, a.category, yuan(a.award_fen)))
        table.row(("", "合计", f"{len(awards)} 个项目", "", yuan(sum(a.award_fen for a in awards))))
    pdf.ln(4)
    pdf.set_font("cjk", size=10.5)
    for line in closing[:-2]:
        pdf.multi_cell(0, 6, line.replace(" ", "\u00a0"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for line in closing[-2:]:  # the office and the day, on the right
        pdf.cell(0, 6, line, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass(frozen=True)
class ProjectLedger:
    """What the project's statement shows: the ledger statement (``None`` before the first payment) and funders."""

    application: Application
    statement: Statement | None
    funders: list[Funder]

    @property
    def opening(self) -> int:
        return self.statement.opening if self.statement else 0

    @property
    def closing(self) -> int:
        return self.statement.closing if self.statement else 0

    @property
    def committed(self) -> int:
        return sum(f.committed_fen for f in self.funders)

    def rows(self) -> list[tuple[str, str, int, int]]:
        """Each posting: day (China time), description, signed amount in fen, balance after it."""
        if self.statement is None:
            return []
        return [(_local_day(x.effective_at), x.reason, x.amount, x.balance) for x in self.statement.lines]


async def project_ledger(ctx: RequestContext, app: Application) -> ProjectLedger:
    """The project's account statement from its first posting to now, and its funders (no account opened)."""
    assert ctx.district is not None
    account = await ledger.get_account(
        ctx.session, district_id=ctx.district.id, owner_ref=f"grants:project:{app.id}", unit="fen"
    )
    statement = None
    if account is not None:
        statement = await ledger.statement(
            ctx.session, account_id=account.id, start=EPOCH, end=utcnow(), district_id=ctx.district.id
        )
    funders = list(
        (await ctx.session.execute(select(Funder).where(Funder.application_id == app.id).order_by(Funder.id))).scalars()
    )
    return ProjectLedger(app, statement, funders)


def ledger_xlsx(project: ProjectLedger, organization: str) -> bytes:
    """The statement as a workbook: funders, then every posting with the running balance (yuan as numbers)."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "项目账户对账单"
    app = project.application
    sheet.append([f"{app.title} · 项目账户对账单"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["执行机构", organization])
    sheet.append(["资助金额（元）", (app.award_fen or 0) / 100])
    sheet.append([])
    sheet.append(["出资方", "类型", "认捐金额（元）"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for f in project.funders:
        sheet.append([f.name, FUNDER_KINDS_ZH.get(f.kind, "其他"), f.committed_fen / 100])
    sheet.append(["认捐合计", "", project.committed / 100])
    sheet.append([])
    sheet.append(["期初余额（元）", project.opening / 100])
    sheet.append(["日期", "摘要", "金额（元）", "余额（元）"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for day, reason, amount, balance in project.rows():
        sheet.append([day, reason, amount / 100, balance / 100])
    sheet.append(["期末余额（元）", project.closing / 100])
    for column, width in zip("ABCD", (16, 48, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
