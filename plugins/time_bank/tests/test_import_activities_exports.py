"""Paper-slip imports (all or nothing), group activities (QR check-in, one credit), statements and the dashboard."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.models.ledger import LedgerPosting, LedgerTransfer
from core.testing import csrf_of, login
from plugins.time_bank import activities
from plugins.time_bank.models import Activity, Slip
from plugins.time_bank.tests.support import balance, bank_of

TB = "/d/haishu/time-bank"
HEAD = "志愿者,服务对象,类别,服务日期,时长（小时）,备注\n"


def _upload(client: Any, world: Any, name: str, content: bytes) -> Any:
    token = csrf_of(client, f"{TB}/banks/{world.bank}/import")
    return client.post(
        f"{TB}/banks/{world.bank}/import",
        data={"_csrf_token": token},
        files={"file": (name, content, "text/csv")},
    )


def _count(seed, model) -> int:
    async def run(session):
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()

    return seed(run)


def test_import_with_errors_changes_nothing_and_names_each_row(client, world, seed):
    """A file with an unknown member, minutes as hours and a future date imports nothing; each row is named."""
    future = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    body = HEAD + (
        "volunteer,resident,陪聊,2026-01-10,1.5,\n"
        "王不存在,,探访,2026-01-11,1,\n"
        "volunteer2,,探访,2026-01-12,90,\n"
        f"volunteer2,,助餐,{future},2,\n"
    )
    transfers = _count(seed, LedgerTransfer)
    login(client, "tb-staff")
    response = _upload(client, world, "slips.csv", body.encode())
    assert response.status_code == 400
    text = response.text
    assert "未导入任何记录" in text
    assert "王不存在" in text
    assert "不是分钟" in text
    assert future in text
    assert re.search(r"<td>3</td>\s*<td>志愿者</td>", text)
    assert re.search(r"<td>4</td>\s*<td>时长（小时）</td>", text)
    assert re.search(r"<td>5</td>\s*<td>服务日期</td>", text)
    assert _count(seed, LedgerTransfer) == transfers
    assert _count(seed, Slip) == 0
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_valid_xlsx_import_credits_each_slip_once(client, world, seed):
    """A valid XLSX credits every slip at the category's rate; uploading the same file again imports nothing."""
    book = Workbook()
    sheet = book.active
    sheet.append(["志愿者", "服务对象", "类别", "服务日期", "时长（小时）"])
    sheet.append(["volunteer", "resident", "陪聊", "2026-01-10", 1.5])
    sheet.append(["volunteer2", "", "理发", "2026-01-11", "1"])
    out = io.BytesIO()
    book.save(out)
    login(client, "tb-staff")
    response = _upload(client, world, "slips.xlsx", out.getvalue())
    assert response.status_code == 200, response.text
    assert "2 张服务单已导入" in response.text
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 90
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer2"])) == 120
    again = _upload(client, world, "slips.xlsx", out.getvalue())
    assert again.status_code == 400
    assert "已导入过" in again.text
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 90


def _activity(seed, world, starts_at: datetime, minutes: int = 120) -> int:
    async def make(session):
        bank = await bank_of(session, world.bank)
        activity = await activities.create_activity(
            session,
            bank,
            title="夜间安全巡查",
            category="patrol",
            starts_at=starts_at,
            minutes=minutes,
            capacity=10,
            by=world.users["tb-staff"],
        )
        return activity.id

    return seed(make)


def test_activity_qr_check_in_and_one_multi_leg_credit(client, world, seed):
    """Two volunteers sign up, one checks in by the QR code's URL, staff mark the other; one transfer credits both."""
    activity_id = _activity(seed, world, datetime.now(UTC) - timedelta(minutes=30))
    login(client, "tb-staff")
    page = client.get(f"{TB}/activities/{activity_id}")
    assert "<svg" in page.text and "qrline" in page.text
    checkin_url = re.search(r"(/d/haishu/time-bank/activities/\d+/check-in\?token=[\w-]+)", page.text).group(1)
    client.cookies.clear()
    login(client, "volunteer")
    token = csrf_of(client, TB)
    client.post(f"{TB}/activities/{activity_id}/signup", data={"_csrf_token": token})
    scan = client.get(checkin_url)
    assert scan.status_code == 200 and "签到" in scan.text
    qr_token = checkin_url.split("token=")[1]
    client.post(f"{TB}/activities/{activity_id}/check-in", data={"_csrf_token": token, "token": qr_token})
    client.post(f"{TB}/activities/{activity_id}/check-in", data={"_csrf_token": token, "token": "forged"})
    client.cookies.clear()
    login(client, "tb-staff")
    token = csrf_of(client, TB)
    client.post(
        f"{TB}/activities/{activity_id}/attendance", data={"_csrf_token": token, "user": str(world.users["volunteer2"])}
    )
    client.post(f"{TB}/activities/{activity_id}/credit", data={"_csrf_token": token})
    client.post(f"{TB}/activities/{activity_id}/credit", data={"_csrf_token": token})
    # 巡查 counts 150%: 2 hours → 3 hours each.
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 180
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer2"])) == 180

    async def legs(session):
        key = f"time_bank:earn:activity:{activity_id}"
        transfer = (
            await session.execute(select(LedgerTransfer).where(LedgerTransfer.idempotency_key == key))
        ).scalar_one()
        count = (
            await session.execute(select(func.count()).where(LedgerPosting.transfer_id == transfer.id))
        ).scalar_one()
        status = (await session.execute(select(Activity.status).where(Activity.id == activity_id))).scalar_one()
        return count, status

    assert seed(legs) == (3, "credited")


def test_check_in_with_a_wrong_code_is_refused(client, world, seed):
    """A forged check-in token is refused with a clear message and nobody is marked present."""
    activity_id = _activity(seed, world, datetime.now(UTC) - timedelta(minutes=10))
    login(client, "volunteer")
    token = csrf_of(client, TB)
    page = client.post(f"{TB}/activities/{activity_id}/check-in", data={"_csrf_token": token, "token": "forged"})
    assert "签到码无效" in page.text
    assert "已签到" not in client.get(f"{TB}/activities/{activity_id}").text


def test_future_activity_cannot_be_credited(client, world, seed):
    """Crediting an activity that has not happened yet is refused and nothing moves."""
    activity_id = _activity(seed, world, datetime.now(UTC) + timedelta(days=3))
    login(client, "tb-staff")
    token = csrf_of(client, TB)
    client.post(
        f"{TB}/activities/{activity_id}/attendance", data={"_csrf_token": token, "user": str(world.users["volunteer"])}
    )
    page = client.post(f"{TB}/activities/{activity_id}/credit", data={"_csrf_token": token})
    assert "尚未举行" in page.text
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_statement_pdf_and_xlsx(client, world, seed):
    """The volunteer downloads their statement as a PDF and as an XLSX whose closing balance matches."""
    login(client, "tb-staff")
    _upload(client, world, "s.csv", (HEAD + "volunteer,,陪聊,2026-01-10,1.5,\n").encode())
    client.cookies.clear()
    login(client, "volunteer")
    pdf = client.get(f"{TB}/statement.pdf?bank={world.bank}&year=2026")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"].startswith("application/pdf")
    xlsx = client.get(f"{TB}/statement.xlsx?bank={world.bank}&year=2026")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "期末余额（分钟）"]
    assert values[0][1] == 90 and values[0][2] == "1 小时 30 分钟"
    page = client.get(f"{TB}/statement?bank={world.bank}&year=2026")
    assert "1 小时 30 分钟" in page.text


def test_dashboard_shows_hours_charts_and_top_volunteers(client, world, seed):
    """The dashboard draws the month × category chart as SVG and lists the top volunteer."""
    login(client, "tb-staff")
    today = datetime.now(UTC).date().isoformat()
    _upload(client, world, "d.csv", (HEAD + f"volunteer,,陪聊,{today},2,\nvolunteer2,,探访,{today},1,\n").encode())
    page = client.get(f"{TB}/banks/{world.bank}/dashboard")
    assert page.status_code == 200
    assert page.text.count("<rect") >= 2
    assert "陪聊: 2 小时" in page.text
    assert "volunteer" in page.text and "3 小时" in page.text
