"""Casework per service line (page, XLSX, API), its referrals counted from the cases' linked tasks."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.casework.conftest import API, PAGES, new_casework

RECORDS = [
    {"date": "2026-03-02", "minutes": 90, "kind": "home_visit", "note": "首次家访"},
    {"date": "2026-03-20", "minutes": 30, "kind": "phone", "note": "电话回访"},
    {"date": "2025-12-30", "minutes": 60, "kind": "office", "note": "上一年的面谈"},
]


def _patch(client, reference, **data):
    lock = client.get(f"{API}/cases/{reference}").json()["lock_version"]
    return client.patch(f"{API}/cases/{reference}", json={"lock_version": lock, "data": data})


def test_referrals_are_no_longer_a_field_of_the_case(world, api):
    """Referrals moved onto linked tasks (core.tasks): the casework form has no ``referrals`` list any more, so the
    case data refuses one and keeps nothing."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    refused = _patch(social, reference, referrals=[{"to": "medical", "agency": "市第一医院", "status": "sent"}])
    assert refused.status_code == 400, refused.text
    assert "referrals" not in social.get(f"{API}/cases/{reference}").json()["data"]


def _referral(client, reference, title, *statuses):
    task = client.post(
        f"{API}/cases/{reference}/tasks",
        json={"kind": "referral", "title": title, "partner": "市第一医院康复科", "status": "sent"},
    ).json()
    for status in statuses:
        task = client.post(
            f"{API}/cases/{reference}/tasks/{task['id']}/status",
            json={"status": status, "version": task["version"], "outcome": "完成"},
        ).json()
    return task


def test_report_per_service_line(world, api):
    """Two youth cases (one closed with its goals met), one elderly: per line the open and closed cases, the
    service records and hours of the period (not last year's), the referral tasks sent, completed and waiting
    (a follow-up task is not a referral)."""
    social = api("social")
    youth = new_casework(social, world["pingqiao"], service_records=RECORDS)
    _referral(social, youth, "康复训练", "accepted", "completed")
    _referral(social, youth, "赔偿纠纷", "accepted")
    follow_up = social.post(f"{API}/cases/{youth}/tasks", json={"kind": "follow_up", "title": "电话回访"})
    assert follow_up.status_code == 201  # not a referral: not counted
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
