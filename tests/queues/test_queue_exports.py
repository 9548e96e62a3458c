"""CSV and XLSX exports of the queue: content, Chinese in Excel, formula injection, permissions, record rules."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from core.models import District, PolicyRule
from core.rbac import bump_policy_version
from tests.queues.conftest import make_casework, make_requests


def read_csv(response):
    """The rows of a CSV export (after checking it starts with the UTF-8 BOM Excel needs)."""
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_of_the_filtered_cases(as_user, world, logged_in):
    """The CSV holds the chosen columns (in the link's order) of the filtered cases, in Chinese, with a BOM."""
    (walk_in,) = make_requests(as_user, 1, title="楼道堆物", channel="walk_in")
    make_requests(as_user, 1, title="电话来的", channel="phone")
    client = logged_in("dadmin")
    response = client.get("/d/haishu/queues/export.csv?channel=walk_in&col=reference&col=title&col=channel&col=state")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = read_csv(response)
    assert rows[0] == ["编号", "标题", "渠道", "状态"]
    assert rows[1:] == [[walk_in, "楼道堆物", "来访", "已登记"]]


def test_single_type_export_adds_its_form_fields(as_user, world, logged_in):
    """Exporting one case type adds its form's fields, choices by their label."""
    make_requests(as_user, 1, title="垃圾", data={"category": "environment"})
    client = logged_in("social")
    rows = read_csv(client.get("/d/haishu/queues/export.csv?type=resident_request&col=reference"))
    header = rows[0]
    assert header[:3] == ["编号", "诉求人", "联系电话"]
    assert rows[1][header.index("诉求类别")] == "环境卫生"
    assert rows[1][header.index("联系电话")] == "13800138000"


def test_formulas_are_escaped(as_user, world, logged_in):
    """Text starting with = + - @ is prefixed with ' in CSV and XLSX, so spreadsheets never run it."""
    make_requests(as_user, 1, title='=HYPERLINK("http://evil.example","点我")', data={"requester": "@SUM(A1)"})
    make_requests(as_user, 1, title="+86 来电", data={"requester": "-2+3"})
    client = logged_in("social")
    query = "type=resident_request&col=title&sort=reference"
    rows = read_csv(client.get(f"/d/haishu/queues/export.csv?{query}"))
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil.example","点我")', "'+86 来电"]
    assert [r[1] for r in rows[1:]] == ["'@SUM(A1)", "'-2+3"]
    sheet = load_workbook(io.BytesIO(client.get(f"/d/haishu/queues/export.xlsx?{query}").content)).active
    cells = [[c.value for c in row[:2]] for row in sheet.iter_rows(min_row=2)]
    assert cells == [['\'=HYPERLINK("http://evil.example","点我")', "'@SUM(A1)"], ["'+86 来电", "'-2+3"]]
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row[:2])


def test_xlsx_export_opens_in_openpyxl(as_user, world, logged_in):
    """The XLSX opens with a header row and one row per case, more than one batch of them."""
    created = make_requests(as_user, 510)
    client = logged_in("dadmin")
    response = client.get("/d/haishu/queues/export.xlsx?sort=reference&col=reference&col=title&col=created")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("编号", "标题", "创建时间")
    assert [r[0] for r in rows[1:]] == sorted(created)
    assert rows[1][1] == "诉求 0"
    assert rows[1][2].year >= 2026


def test_export_forbidden_without_the_export_permission(as_user, world, logged_in):
    """A community worker, who may view but not export, gets 403 for both formats."""
    make_requests(as_user, 1)
    client = logged_in("worker")
    assert client.get("/d/haishu/queues/export.csv").status_code == 403
    assert client.get("/d/haishu/queues/export.xlsx").status_code == 403
    assert "/queues/export.csv" not in client.get("/d/haishu/cases").text


def test_export_holds_what_the_queue_shows_or_is_refused_as_a_page(as_user, world, logged_in):
    """A social worker's queue shows resident requests and casework but only requests may be exported:
    the unfiltered queue offers no export of everything (it would silently leave casework out), only
    "仅可导出 居民诉求"; asking anyway answers an HTML page, never a file; the filtered export has the request."""
    (request_ref,) = make_requests(as_user, 1)
    casework = make_casework(as_user, "social", world["pingqiao"])
    client = logged_in("social")
    queue = client.get("/d/haishu/cases").text
    assert casework in queue and request_ref in queue
    assert 'export.csv">CSV' not in queue
    assert "仅可导出" in queue and "export.csv?type=resident_request" in queue
    refused = client.get("/d/haishu/queues/export.csv?col=reference")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in refused.headers
    assert "您无权导出此队列显示的全部个案" in refused.text
    refs = [r[0] for r in read_csv(client.get("/d/haishu/queues/export.csv?type=resident_request&col=reference"))[1:]]
    assert refs == [request_ref]
    assert client.get("/d/haishu/queues/export.csv?type=casework").status_code == 403


def test_unfiltered_export_has_every_row_of_the_queue(as_user, world, logged_in):
    """A district admin, who may export every type, gets in the unfiltered export every case the queue lists."""
    refs = make_requests(as_user, 15)
    casework = make_casework(as_user, "social", world["pingqiao"])
    client = logged_in("dadmin")
    queue = client.get("/d/haishu/cases").text
    assert 'export.csv">CSV' in queue and " download" not in queue
    listed = sorted(set(re.findall(r"HS-2026-\d{6}", queue)))
    assert set(refs) <= set(listed)
    exported = [r[0] for r in read_csv(client.get("/d/haishu/queues/export.csv?col=reference"))[1:]]
    assert sorted(exported) == listed
    assert (casework in exported) == (casework in queue)


def test_export_applies_record_rules(as_user, world, logged_in, seed):
    """Even with export on casework, a social worker of 平桥 never exports 牡丹's casework."""

    async def grant(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        session.add(
            PolicyRule(district_id=district.id, subject="social_worker", resource="case:casework", action="export")
        )
        await session.flush()
        await bump_policy_version(session, district)

    seed(grant)
    ours = make_casework(as_user, "social", world["pingqiao"], title="平桥个案")
    theirs = make_casework(as_user, "social2", world["mudan"], title="牡丹个案")
    client = logged_in("social")
    rows = read_csv(client.get("/d/haishu/queues/export.csv?type=casework&col=reference&col=title"))
    assert [r[:2] for r in rows[1:]] == [[ours, "平桥个案"]]
    sheet = load_workbook(io.BytesIO(client.get("/d/haishu/queues/export.xlsx?q=个案&col=reference").content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [ours]
    assert theirs not in client.get("/d/haishu/queues/export.csv?q=牡丹").text
