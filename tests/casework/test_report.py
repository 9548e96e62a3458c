"""Casework per service line (page, XLSX, API) and referrals: each a dated task with a status and an outcome."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.casework.conftest import API, PAGES, new_casework

RECORDS = [
    {"date": "2026-03-02", "minutes": 90, "kind": "home_visit", "note": "首次家访"},
    {"date": "2026-03-20", "minutes": 30, "kind": "phone", "note": "电话回访"},
    {"date": "2025-12-30", "minutes": 60, "kind": "office", "note": "上一年的面谈"},
]
REFERRALS = [
    {
        "to": "medical",
        "agency": "市第一医院康复科",
        "reason": "康复训练",
        "sent_on": "2026-03-03",
        "status": "completed",
        "outcome": "完成 12 次康复训练",
        "closed_on": "2026-04-30",
    },
    {"to": "legal", "agency": "区法律援助中心", "reason": "赔偿纠纷", "sent_on": "2026-03-05", "status": "accepted"},
]


def _patch(client, reference, **data):
    lock = client.get(f"{API}/cases/{reference}").json()["lock_version"]
    return client.patch(f"{API}/cases/{reference}", json={"lock_version": lock, "data": data})


def test_referrals_are_tasks_with_status_and_outcome(world, api):
    """A referral needs an agency, a reason, a date sent and a known status: a bad one is refused field by field
    and nothing changes; a good one is kept, and its status change shows on the timeline row by row."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    bad = _patch(
        social, reference, referrals=[{"to": "medical", "agency": "", "sent_on": "2026-13-01", "status": "lost"}]
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"referrals.0.agency", "referrals.0.reason", "referrals.0.status"}
    assert social.get(f"{API}/cases/{reference}").json()["data"]["referrals"] == []  # nothing kept
    assert _patch(social, reference, referrals=REFERRALS).status_code == 200
    later = [
        {**REFERRALS[0]},
        {**REFERRALS[1], "status": "completed", "outcome": "调解获赔", "closed_on": "2026-06-01"},
    ]
    assert _patch(social, reference, referrals=later).status_code == 200
    page = social.get(f"{PAGES}/cases/{reference}").text
    assert "转介 第 2 条" in page and "对方已接收" in page and "调解获赔" in page
    assert '"agency"' not in page  # rows as text, never the raw JSON


def test_report_per_service_line(world, api):
    """Two youth cases (one closed with its goals met), one elderly: per line the open and closed cases, the
    service records and hours of the period (not last year's), the referrals sent, completed and waiting."""
    social = api("social")
    youth = new_casework(social, world["pingqiao"], service_records=RECORDS, referrals=REFERRALS)
    new_casework(social, world["pingqiao"])
    new_casework(social, world["mudan"], service_line="elderly", client_name="王秀珍")
    # Take the first youth case to its close.
    for step, data in (
        ("accept", {}),
        ("plan", {"needs": "康复", "goals": [{"goal": "独立行走", "status": "achieved"}]}),
        ("to_review", {}),
        ("close", {"outcome": "goals_met", "closing_summary": "目标达成"}),
    ):
        lock = social.get(f"{API}/cases/{youth}").json()["lock_version"]
        taken = social.post(
            f"{API}/cases/{youth}/transitions", json={"transition": step, "lock_version": lock, "data": data}
        )
        assert taken.status_code == 200, (step, taken.text)
    supervisor = api("supervisor")
    report = supervisor.get(f"{API}/casework/report", params={"start": "2026-01-01", "end": "2026-12-31"}).json()
    lines = {line["key"]: line for line in report["lines"]}
    assert [line["key"] for line in report["lines"]][:4] == ["elderly", "youth", "disability", "correction"]
    assert lines["youth"]["open_now"] == 1 and lines["youth"]["closed"] == 1 and lines["youth"]["closed_goals_met"] == 1
    assert (lines["youth"]["service_records"], lines["youth"]["service_hours"]) == (2, 2.0)
    assert (lines["youth"]["referrals_sent"], lines["youth"]["referrals_completed"]) == (2, 1)
    assert lines["youth"]["referrals_waiting"] == 1
    assert lines["elderly"]["open_now"] == 1 and lines["disability"]["open_now"] == 0
    assert report["total"]["open_now"] == 2 and report["total"]["service_records"] == 2
    # Outside the period: nothing opened, closed or recorded.
    old = supervisor.get(f"{API}/casework/report", params={"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert old["total"]["opened"] == 0 and old["total"]["service_records"] == 1

    page = supervisor.get(f"{PAGES}/casework/report", params={"start": "2026-01-01", "end": "2026-12-31"})
    assert page.status_code == 200 and "青少年服务" in page.text and "期内结案" in page.text
    book = supervisor.get(f"{PAGES}/casework/report.xlsx", params={"start": "2026-01-01", "end": "2026-12-31"})
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["青少年服务"][1:4] == (1, 2, 1) and rows["合计"][5] == 2


def test_report_is_for_supervisors_and_admins_and_refuses_bad_periods(world, api):
    """A social worker gets 403; a period that cannot be read gets 400 with the field's message, in Chinese."""
    social = api("social")
    assert social.get(f"{API}/casework/report").status_code == 403
    assert social.get(f"{PAGES}/casework/report").status_code == 403
    admin = api("dadmin")
    assert admin.get(f"{API}/casework/report").status_code == 200
    bad = admin.get(f"{API}/casework/report", params={"start": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["errors"]["start"] == "请输入日期，例如 2026-03-01。"
    backwards = admin.get(f"{API}/casework/report", params={"start": "2026-06-01", "end": "2026-01-01"})
    assert backwards.status_code == 400 and backwards.json()["errors"]["end"] == "截止日期不能早于起始日期。"
    page = admin.get(f"{PAGES}/casework/report.xlsx", params={"start": "2026-06-01", "end": "2026-01-01"})
    assert page.status_code == 400 and "截止日期不能早于起始日期。" in page.text
