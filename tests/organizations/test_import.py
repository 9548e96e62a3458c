"""Importing organizations from XLSX: the template, a preview with row errors, all or nothing."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook

from core.organizations.credit_code import make_credit_code
from core.organizations.xlsx import COLUMNS
from tests.organizations.conftest import GROUP_CODE, csrf

URL = "/d/haishu/organizations/import"
API = "/api/v1/districts/haishu/organizations"
HEADERS = [h for _k, h in COLUMNS]


def xlsx(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    {
        "名称": "海曙区社区社会组织联合会",
        "类型": "登记",
        "登记类型": "社会团体",
        "统一社会信用代码": make_credit_code("51330203", "MJ770001"),
        "是否枢纽型": "是",
        "服务领域": "社区治理、文化体育",
    },
    {
        "名称": "牡丹社区夕阳红舞蹈队",
        "类型": "群众团队",
        "服务领域": "文化体育",
        "服务区域": "平桥社区",
        "枢纽组织": "海曙区社区社会组织联合会",
        "成立日期": "2012/6/1",
    },
    {
        "名称": "鼓楼街道邻里调解工作室",
        "类型": "备案",
        "备案编号": "HS-BA-2018-033",
        "服务领域": "法律援助与调解",
        "枢纽组织": "海曙区社会组织服务中心",
        "联系电话": "13905741009",
    },
]


def total(client: Any) -> int:
    return client.get(API).json()["total"]


def upload(client: Any, content: bytes) -> Any:
    token = csrf(client, URL)
    files = {"file": ("orgs.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return client.post(URL, data={"_csrf_token": token}, files=files)


def test_template_has_the_columns(browser, world):
    """The template downloads as XLSX whose first row is the import's columns, with a sheet of instructions."""
    response = browser("u-district_admin").get(f"{URL}/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))] == HEADERS
    assert book.sheetnames[1] == "填写说明"


def test_import_with_row_errors_changes_nothing(browser, world):
    """Row errors name the row, the column and the problem; importing that file anyway saves no row."""
    client = browser("u-district_admin")
    rows = [
        *GOOD,
        {"名称": "错误的基金会", "类型": "登记", "登记类型": "基金会", "统一社会信用代码": "53330203MJ7700020X"},
        {"名称": "平桥社区老年协会", "类型": "备案"},  # already in the registry
        {"名称": "某团队", "类型": "兴趣小组", "服务区域": "火星社区"},
        {"名称": "另一个协会", "类型": "登记", "登记类型": "社会团体", "统一社会信用代码": GROUP_CODE},
    ]
    before = total(client)
    preview = upload(client, xlsx(rows))
    assert preview.status_code == 400
    text = preview.text
    assert "4 行有错误" in text
    rows_html = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>(.*?)</td>\s*</tr>", text, re.S)
    problems = {int(n): (name, body) for n, name, body in rows_html}
    assert "✓" in problems[2][1]
    assert "统一社会信用代码：" in problems[5][1]
    assert "名称：名录中已有名为 平桥社区老年协会 的组织。" in problems[6][1]
    assert "类型：请填写以下之一" in problems[7][1]
    assert "服务区域：本区没有名为 火星社区 的街道、社区或小区。" in problems[7][1]
    assert "该统一社会信用代码已属于 海曙区自闭症儿童家长互助协会" in problems[8][1]
    assert 'name="confirm"' not in text
    assert total(client) == before
    # Posting the bad file as if it had been confirmed still saves nothing.
    token = csrf(client, URL)
    forced = client.post(
        URL, data={"_csrf_token": token, "payload": base64.b64encode(xlsx(rows)).decode(), "confirm": "1"}
    )
    assert forced.status_code == 400
    assert total(client) == before


def test_import_success(browser, world):
    """A clean file previews every row as importable, then imports them all, hubs linked by name."""
    client = browser("u-district_admin")
    before = total(client)
    preview = upload(client, xlsx(GOOD))
    assert preview.status_code == 200
    assert "全部 3 行都可以导入。" in preview.text
    assert total(client) == before  # the preview saved nothing
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)
    assert payload
    token = csrf(client, URL)
    done = client.post(
        URL, data={"_csrf_token": token, "payload": payload.group(1), "confirm": "1"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "已导入 3 个组织。" in client.get(done.headers["location"]).text
    assert total(client) == before + 3
    items = {o["name"]: o for o in client.get(API, params={"limit": 50}).json()["items"]}
    federation = items["海曙区社区社会组织联合会"]
    assert federation["is_hub"] and federation["registered_type"] == "social_group"
    assert items["牡丹社区夕阳红舞蹈队"]["hub_id"] == federation["id"]
    assert items["牡丹社区夕阳红舞蹈队"]["founded_on"] == "2012-06-01"
    assert items["牡丹社区夕阳红舞蹈队"]["areas"] == [world["pingqiao"]]
    assert items["鼓楼街道邻里调解工作室"]["hub_id"] == world["hub"]
    assert items["鼓楼街道邻里调解工作室"]["fields"] == ["legal"]


def test_not_an_xlsx_file(browser, world):
    """A file that is not XLSX, or has foreign columns, is refused with a message; nothing changes."""
    client = browser("u-district_admin")
    response = upload(client, "name,kind\n甲,informal\n".encode())
    assert response.status_code == 400
    assert "这不是 XLSX 文件" in response.text
    response = upload(client, xlsx([{"名称": "甲"}], headers=["名称", "颜色"]))
    assert "未知的列：颜色" in response.text
    assert total(client) == 3


def test_only_importers_may_import(browser, world):
    """Community workers may edit organizations but not import them."""
    client = browser("u-community_worker")
    assert client.get(URL).status_code == 403
    assert upload_forbidden(client)


def upload_forbidden(client: Any) -> bool:
    token = csrf(client, "/d/haishu/organizations")
    files = {"file": ("orgs.xlsx", xlsx(GOOD), "application/octet-stream")}
    return client.post(URL, data={"_csrf_token": token}, files=files).status_code == 403
