"""The service catalogue: the demo items, the staff pages, XLSX import and export, the public guide, the API."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from core.testing import csrf_of
from plugins.one_window.seed import demo_items
from plugins.one_window.tests.support import API, CATALOGUE, catalogue, counts, item_id, xlsx

PUBLIC = "/d/haishu/public/one_window"
GOOD_ROW = [
    "330203-MZ-101",
    "困难群众冬季慰问申请",
    "慰问",
    "鼓楼街道民政办",
    "困难家庭",
    "居民身份证，原件",
    5,
    "不收费",
    "",
    "是",
]


def _upload(client, content: bytes):
    token = csrf_of(client, f"{CATALOGUE}/import")
    files = {"file": ("清单.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return client.post(f"{CATALOGUE}/import", data={"_csrf_token": token}, files=files)


class TestDemoCatalogue:
    def test_demo_items_are_added_once(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Seeding the demo twice lists each of the town's 89 items exactly once, with its department; each is
        published as version 1."""
        catalogue(sanshe_factory)
        catalogue(sanshe_factory)
        assert counts(sanshe_factory)["items"] == len(demo_items()) == 89
        assert len({code for code, *_rest in demo_items()}) == 89
        client = sanshe_client_for("community_worker")
        page = client.get(CATALOGUE).text
        for code, title, *_rest in demo_items():
            assert page.count(f"<code>{code}</code>") == 1
            assert title in page
        assert "鼓楼街道残联" in page and "共 89 项" in page
        versions = client.get(f"{API}/items/{item_id(sanshe_factory, '330203-JS-014')}/versions")
        assert [(v["version"], v["title"]) for v in versions.json()] == [(1, "计划生育特殊家庭就医绿色通道")]

    def test_search_by_keyword_code_and_department(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Staff find items by a keyword (低保), by part of the code (yb-00), and by department."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        by_keyword = client.get(CATALOGUE, params={"q": "低保"}).text
        assert "最低生活保障申请" in by_keyword and "异地就医备案" not in by_keyword
        by_code = client.get(CATALOGUE, params={"q": "yb-00"}).text
        assert "共 9 项" in by_code and "异地就医备案" in by_code  # YB-001 to YB-009


class TestImport:
    def test_a_bad_row_imports_nothing_and_each_bad_row_is_named(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """Three rows, two wrong: 400, nothing added, rows 3 and 4 named with their reasons in Chinese."""
        catalogue(sanshe_factory)
        before = counts(sanshe_factory)["items"]
        bad_department = ["330203-MZ-102", "另一个事项", "", "不存在的部门", "", "", 5, "", "", "是"]
        bad_documents = ["330203-MZ-103", "第三个事项", "", "鼓楼街道民政办", "", "户口簿，原件，两份", 0, "", "", "是"]
        response = _upload(sanshe_client_for("community_worker"), xlsx([GOOD_ROW, bad_department, bad_documents]))
        assert response.status_code == 400
        assert "未导入任何内容" in response.text
        assert "第 3 行" in response.text and "本区没有名为“不存在的部门”的职能部门" in response.text
        assert "第 4 行" in response.text and "无法识别“两份”" in response.text
        assert "请填写 1 至 365 之间的整数工作日" in response.text
        assert "第 2 行" not in response.text
        assert counts(sanshe_factory)["items"] == before
        assert "困难群众冬季慰问申请" not in sanshe_client_for("district_admin").get(CATALOGUE).text

    def test_a_code_twice_in_one_file_is_refused(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The same code on two rows: the second row is named, nothing is imported."""
        catalogue(sanshe_factory)
        response = _upload(sanshe_client_for("community_worker"), xlsx([GOOD_ROW, GOOD_ROW]))
        assert response.status_code == 400
        assert "与第 2 行的事项编码重复" in response.text
        assert counts(sanshe_factory)["items"] == 89

    def test_a_good_file_adds_and_changes_items(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """A new code adds an item; a known code changes that item (its time limit here)."""
        catalogue(sanshe_factory)
        changed = [
            "330203-MZ-004",
            "高龄津贴申领",
            "高龄",
            "鼓楼街道民政办",
            "",
            "居民身份证，原件及复印件",
            7,
            "",
            "",
            "是",
        ]
        client = sanshe_client_for("community_worker")
        response = _upload(client, xlsx([GOOD_ROW, changed]))
        assert response.status_code == 200, response.text
        assert "新增 1 项，修改 1 项" in response.text
        assert counts(sanshe_factory)["items"] == 90
        detail = client.get(f"{CATALOGUE}/items/{item_id(sanshe_factory, '330203-MZ-004')}").text
        assert "7 个工作日" in detail and "这是第 2 版" in detail  # the change published version 2

    def test_the_export_imports_back_unchanged(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The exported sheet has the import's columns and every item; importing it changes 89 and adds none, and
        publishes no new version (nothing published changed)."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        exported = client.get(f"{CATALOGUE}/export.xlsx")
        assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("事项编码", "事项名称") and len(rows) == 90
        low = next(r for r in rows if r[0] == "330203-MZ-001")
        assert "残疾证或病历，复印件，1份，可后补" in low[5]
        assert low[10] == "鼓楼街道民政办、鼓楼街道社保所，10\n鼓楼街道民政办，5"  # the back-office route
        response = _upload(client, exported.content)
        assert "新增 0 项，修改 89 项" in response.text
        detail = client.get(f"{CATALOGUE}/items/{item_id(sanshe_factory, '330203-MZ-001')}").text
        assert "鼓楼街道社保所 · 10 个工作日" in detail and "这是第 1 版" in detail

    def test_a_route_naming_an_unknown_department_names_its_row(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """The 办理流程 column is read like the form's route: an unknown department refuses the row, nothing changes."""
        catalogue(sanshe_factory)
        row = [
            "330203-MZ-004",
            "高龄津贴申领",
            "",
            "鼓楼街道民政办",
            "",
            "居民身份证",
            10,
            "不收费",
            "",
            "是",
            "房管科，3",
        ]
        response = _upload(sanshe_client_for("community_worker"), xlsx([row]))
        assert response.status_code == 400
        assert (
            "第 2 行" in response.text and "办理流程" in response.text and "房管科 不是本区的职能部门" in response.text
        )

    def test_a_file_that_is_not_xlsx_is_refused(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """A text file is refused with the reason; nothing changes."""
        response = _upload(sanshe_client_for("community_worker"), b"code,name\n1,2\n")
        assert response.status_code == 400
        assert "这不是 XLSX 文件" in response.text


class TestItemForm:
    def test_worker_adds_an_item_with_its_documents(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The form saves an item; its page lists each document with original/copy, count and 'later'."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        department = str(item_and_department(sanshe_factory))
        data = {
            "code": "330203-mz-200",
            "title": "临时生活补助",
            "department_id": department,
            "time_limit_days": "5",
            "documents": "居民身份证，原件及复印件\n照片，原件，2份，可后补",
            "is_active": "on",
            "_csrf_token": csrf_of(client, f"{CATALOGUE}/items/new"),
        }
        response = client.post(f"{CATALOGUE}/items", data=data)
        assert response.status_code == 200
        assert "330203-MZ-200" in response.text
        assert "原件及复印件 · 1 份" in response.text
        assert "原件 · 2 份 · 可容缺后补" in response.text

    def test_bad_documents_are_refused_next_to_the_field(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """A document line that cannot be read comes back with the reason and the typed text; nothing is saved."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        data = {
            "code": "330203-MZ-201",
            "title": "不会保存的事项",
            "department_id": str(item_and_department(sanshe_factory)),
            "time_limit_days": "5",
            "documents": "户口簿，原件\n身份证，正本",
            "_csrf_token": csrf_of(client, f"{CATALOGUE}/items/new"),
        }
        response = client.post(f"{CATALOGUE}/items", data=data)
        assert response.status_code == 400
        assert "第 2 行：无法识别“正本”" in response.text
        assert "身份证，正本" in response.text
        assert counts(sanshe_factory)["items"] == 89


def item_and_department(factory) -> int:
    """The department of the demo item 330203-MZ-001 (鼓楼街道民政办)."""
    from plugins.one_window.models import Item

    async def work(session):
        from sqlalchemy import select

        return (await session.execute(select(Item.department_id).where(Item.code == "330203-MZ-001"))).scalar_one()

    return factory.run(work)


class TestPublicGuide:
    def test_resident_looks_up_what_to_bring_without_logging_in(self, sanshe_factory, sanshe_district, sanshe_client):
        """Anyone searches the guide (残疾 finds the federation's 14 items) and reads an item's documents, time
        limit and place."""
        catalogue(sanshe_factory)
        found = sanshe_client.get(PUBLIC, params={"q": "残疾"})
        assert found.status_code == 200
        assert found.text.count('href="/d/haishu/public/one_window/330203-CL-') == 14
        item = sanshe_client.get(f"{PUBLIC}/330203-MZ-001").text
        assert "家庭收入情况说明" in item and "20 个工作日" in item
        assert "可容缺后补" in item and "街道便民服务中心一楼综合受理窗口" in item

    def test_an_item_not_offered_is_not_in_the_guide(
        self, sanshe_factory, sanshe_district, sanshe_client, sanshe_client_for
    ):
        """An item switched off by staff disappears from the public guide (404 on its page)."""
        catalogue(sanshe_factory)
        worker = sanshe_client_for("community_worker")
        token = api_headers(worker)
        item = item_id(sanshe_factory, "330203-JS-001")
        assert worker.patch(f"{API}/items/{item}", json={"is_active": False}, headers=token).status_code == 200
        assert "生育登记" not in sanshe_client.get(PUBLIC).text
        assert sanshe_client.get(f"{PUBLIC}/330203-JS-001").status_code == 404


def api_headers(client) -> dict[str, str]:
    """The CSRF header a logged-in client sends with API writes."""
    return {"x-csrftoken": csrf_of(client, "/d/haishu/")}


class TestAccessAndApi:
    def test_who_may_do_what(self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client):
        """Residents may not open the staff pages; social workers read but may not add; anonymous users log in."""
        catalogue(sanshe_factory)
        assert sanshe_client_for("resident").get(CATALOGUE).status_code == 403
        social = sanshe_client_for("social_worker")
        assert social.get(CATALOGUE).status_code == 200
        assert social.get(f"{CATALOGUE}/items/new").status_code == 403
        assert social.get("/d/haishu/one_window/intake").status_code == 403
        assert sanshe_client.get(CATALOGUE, follow_redirects=False).status_code in (302, 303, 401)

    def test_api_lists_creates_and_refuses(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The API searches items, adds one with documents as JSON, and refuses a taken code (400, by field)."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        found = client.get(f"{API}/items", params={"q": "医保参保登记"}).json()
        assert {i["code"] for i in found} == {"330203-YB-001"}
        body = {
            "code": "330203-YB-110",
            "title": "医保关系转移",
            "department_id": found[0]["department_id"],
            "time_limit_days": 10,
            "documents": [{"name": "居民身份证", "form": "both", "count": 1, "later": False}],
        }
        created = client.post(f"{API}/items", json=body, headers=api_headers(client))
        assert created.status_code == 201, created.text
        assert created.json()["documents"] == [{"name": "居民身份证", "form": "both", "count": 1, "later": False}]
        again = client.post(f"{API}/items", json=body, headers=api_headers(client))
        assert again.status_code == 400
        assert "已被其他事项使用" in again.json()["extra"]["errors"]["code"]
        assert counts(sanshe_factory)["items"] == 90
