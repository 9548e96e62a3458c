"""Importing households from XLSX: every row or none, with the wrong rows named."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select

from core.models import Household, HouseholdMember, Person

D = "/d/haishu"
HEADER = ["小区", "楼栋", "单元", "室号", "建筑面积", "姓名", "电话", "关系"]


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _counts(seed):
    async def count(session):
        found = []
        for model in (Household, Person, HouseholdMember):
            found.append((await session.execute(select(func.count()).select_from(model))).scalar_one())
        return tuple(found)

    return seed(count)


def _post(client, content):
    files = {"file": ("住户.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return client.post(
        f"{D}/households/import",
        data={"_csrf_token": client.headers["x-csrftoken"]},
        files=files,
        follow_redirects=False,
    )


def test_import_creates_households_people_and_members(world, as_role, seed):
    """Rows for two new households (one shared by a couple) and an existing address are imported together."""
    client = as_role("worker")
    before = _counts(seed)
    content = _xlsx(
        [
            ["偃月小区", "6", "1", "101", "88.8", "钱大伯", "0574 8711 2233", "业主"],
            ["偃月小区", "6", "1", "101", None, "钱大妈", "0574-87112233", "共有业主"],
            ["yanyue", "6", "1", "102", 90, "赵小姐", "13600001111", "租户"],
            ["偃月小区", "3", "1", "502", "76.32", "王建国", "0574-87351234", "业主"],
        ]
    )
    response = _post(client, content)
    assert response.status_code == 303, response.text
    assert _counts(seed) == (before[0] + 2, before[1] + 3, before[2] + 3)
    page = client.get(f"{D}/households").text
    assert "新增 2 户、3 人、3 条成员关系" in page
    estate = client.get(f"{D}/households/estate/{world['estate']}").text
    assert "共 4 户，总建筑面积 344.67 平方米" in estate


def test_one_bad_row_imports_nothing(world, as_role, seed):
    """A wrong phone on row 3 and an unknown estate on row 4: nothing is written and both rows are named."""
    client = as_role("worker")
    before = _counts(seed)
    content = _xlsx(
        [
            ["偃月小区", "6", "1", "101", "88.8", "钱大伯", "0574 8711 2233", "业主"],
            ["偃月小区", "6", "1", "102", "88.8", "孙阿姨", "12345", "业主"],
            ["不存在小区", "1", "", "1", "80.123", "李四", "", "房东"],
        ]
    )
    response = _post(client, content)
    assert response.status_code == 400
    assert "未导入任何数据" in response.text
    assert "第 3 行：电话“12345”无效" in response.text
    assert "第 4 行" in response.text and "没有名为“不存在小区”的小区" in response.text and "房东" in response.text
    assert _counts(seed) == before


def test_not_an_xlsx_and_no_permission(world, as_role):
    """A file that is not XLSX is refused next to the field; a volunteer may not import."""
    client = as_role("worker")
    response = _post(client, b"name,phone\n")
    assert response.status_code == 400 and "不是可读取的 XLSX 文件" in response.text
    assert as_role("volunteer").get(f"{D}/households/import").status_code == 403
