"""The age rule of an item's conditions (min_age / max_age): kept by the form, the API and the XLSX, refused when
wrong; at the window it is checked against the register (meets / fails / unknown); the staff decide (a request
that fails is received with their acknowledgement, see test_eligibility.py).
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from core.db.tenancy import for_district
from core.models import District
from core.residents import service as registry
from core.testing import csrf_of
from plugins.one_window import intake as svc
from plugins.one_window.tests.support import API, CATALOGUE, WINDOW, catalogue, counts, item_id, xlsx
from plugins.one_window.xlsx import COLUMNS

ELDERLY = "330203-MZ-011"  # 老年人优待证办理: 年满60周岁 in the demo
LOW_INCOME = "330203-MZ-001"  # no age rule
MEETS = "符合年龄条件：本事项须年满 60 周岁（申请人 76 周岁）"
FAILS = "不符合年龄条件：本事项须年满 60 周岁，申请人 45 周岁"
UNKNOWN = "年龄无法从居民名录核对，请查验证件"


def _person(factory, name: str, phone: str, age: int | None) -> int:
    """A person of the register who is ``age`` today (born on 1 January), or without a birth date."""

    async def work(session) -> int:
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        data = {"name": name, "phone": phone}
        if age is not None:
            data |= {"birth_date": date(svc.today_local().year - age, 1, 1).isoformat(), "consent_method": "written"}
        person = await registry.create_person(session, district.id, None, data)
        for_district(session, None)
        return person.id

    return factory.run(work)


def _headers(client) -> dict[str, str]:
    return {"x-csrftoken": csrf_of(client, "/d/haishu/")}


def _form(client, **ages: str) -> dict[str, str]:
    department = client.get(f"{API}/items", params={"q": LOW_INCOME}).json()[0]["department_id"]
    return {
        "code": "330203-MZ-300",
        "title": "敬老慰问",
        "department_id": str(department),
        "time_limit_days": "5",
        "documents": "居民身份证，原件",
        "is_active": "on",
        **ages,
        "_csrf_token": csrf_of(client, f"{CATALOGUE}/items/new"),
    }


class TestItemAgeRule:
    def test_the_form_refuses_bad_ages_next_to_the_field_and_saves_nothing(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """A non-number, 151, and a highest age below the lowest are refused in Chinese next to the field."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        for ages, message in (
            ({"min_age": "六十"}, "请填写 0 至 150 的整数周岁，或留空。"),
            ({"max_age": "151"}, "请填写 0 至 150 的整数周岁，或留空。"),
            ({"min_age": "-1"}, "请填写 0 至 150 的整数周岁，或留空。"),
            ({"min_age": "70", "max_age": "60"}, "最高年龄不能小于最低年龄。"),
        ):
            response = client.post(f"{CATALOGUE}/items", data=_form(client, **ages))
            assert response.status_code == 400, ages
            assert message in response.text
            assert 'name="min_age"' in response.text
        assert counts(sanshe_factory)["items"] == 89

    def test_the_form_saves_the_rule_and_the_item_page_states_it(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """Saved ages show on the item page in words and come back in the edit form."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        response = client.post(f"{CATALOGUE}/items", data=_form(client, min_age="60", max_age="99"))
        assert response.status_code == 200
        assert "年龄：年满 60 周岁、不超过 99 周岁" in response.text
        item = item_id(sanshe_factory, "330203-MZ-300")
        edit = client.get(f"{CATALOGUE}/items/{item}/edit").text
        assert 'name="min_age"' in edit and 'value="60"' in edit and 'value="99"' in edit

    def test_the_api_keeps_refuses_and_versions_the_rule(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The API returns the ages, refuses 200 (400 by field, nothing changed), clears with null, and each
        change publishes a version that keeps the rule of its time."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        item = item_id(sanshe_factory, ELDERLY)
        got = client.get(f"{API}/items/{item}").json()
        assert (got["min_age"], got["max_age"]) == (60, None)
        bad = client.patch(f"{API}/items/{item}", json={"max_age": 200}, headers=_headers(client))
        assert bad.status_code == 400
        assert bad.json()["extra"]["errors"]["max_age"] == "请填写 0 至 150 的整数周岁，或留空。"
        crossed = client.patch(f"{API}/items/{item}", json={"max_age": 50}, headers=_headers(client))
        assert crossed.status_code == 400 and "max_age" in crossed.json()["extra"]["errors"]
        assert client.get(f"{API}/items/{item}").json()["version"] == 1
        cleared = client.patch(f"{API}/items/{item}", json={"min_age": None}, headers=_headers(client))
        assert cleared.status_code == 200
        assert (cleared.json()["min_age"], cleared.json()["version"]) == (None, 2)
        versions = client.get(f"{API}/items/{item}/versions").json()
        assert [(v["version"], v["min_age"]) for v in versions] == [(2, None), (1, 60)]

    def test_xlsx_round_trip_a_bad_age_row_and_an_old_file(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The export has the two age columns (after 办理流程) and imports back unchanged; a bad age names its row and
        column and imports nothing; a file of the old columns (no ages) still imports and keeps the rules."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        exported = client.get(f"{CATALOGUE}/export.xlsx").content
        rows = list(load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows(values_only=True))
        assert rows[0][11:13] == ("最低年龄（周岁）", "最高年龄（周岁）")
        elderly = next(r for r in rows if r[0] == ELDERLY)
        assert elderly[11:13] == (60, None)
        token = csrf_of(client, f"{CATALOGUE}/import")

        def upload(content: bytes):
            files = {"file": ("清单.xlsx", content, "application/vnd.ms-excel")}
            return client.post(f"{CATALOGUE}/import", data={"_csrf_token": token}, files=files)

        assert "新增 0 项，修改 89 项" in upload(exported).text
        bad = list(elderly)
        bad[12] = "很老"
        refused = upload(xlsx([bad]))
        assert refused.status_code == 400
        assert "第 2 行" in refused.text and "最高年龄（周岁）" in refused.text
        assert "请填写 0 至 150 的整数周岁，或留空。" in refused.text
        old = upload(xlsx([list(elderly[:11])], header=[h for _k, h in COLUMNS[:11]]))
        assert old.status_code == 200 and "修改 1 项" in old.text
        item = client.get(f"{API}/items/{item_id(sanshe_factory, ELDERLY)}").json()
        assert (item["min_age"], item["max_age"], item["version"]) == (60, None, 1)


class TestAtTheWindow:
    def test_the_window_says_meets_fails_or_unknown_and_does_not_block(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """A 76-year-old meets 年满60周岁, a 45-year-old is warned, one without a birth date and a walk-in not in
        the register are told to check the ID; an item without an age rule says nothing of age. The free-text
        conditions stay on the page, and the 45-year-old can still be received (staff decide)."""
        catalogue(sanshe_factory)
        old = _person(sanshe_factory, "老张", "13900000001", 76)
        young = _person(sanshe_factory, "小李", "13900000002", 45)
        unknown = _person(sanshe_factory, "无生日", "13900000003", None)
        client = sanshe_client_for("community_worker")
        item = item_id(sanshe_factory, ELDERLY)

        def window(**params) -> str:
            return client.get(WINDOW, params={"item": item, **params}).text

        meets = window(person=old)
        assert MEETS in meets and 'data-age-check="meets"' in meets
        assert "本街道户籍或持居住证、年满60周岁的老年人。" in meets  # the conditions as written
        fails = window(person=young)
        assert FAILS in fails and 'data-age-check="fails"' in fails
        assert 'id="ow-intake-form"' in fails  # the form is still there
        assert UNKNOWN in window(person=unknown)
        assert UNKNOWN in window()  # not (yet) in the register
        assert "年龄条件" not in client.get(WINDOW, params={"item": item_id(sanshe_factory, LOW_INCOME)}).text

    def test_the_intake_api_carries_the_age_check(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """``age_check`` is meets / fails / unknown for an item with an age rule, null for one without (the one who
        fails is received with ``acknowledge``)."""
        catalogue(sanshe_factory)
        people = {
            "meets": _person(sanshe_factory, "老张", "13900000001", 76),
            "fails": _person(sanshe_factory, "小李", "13900000002", 45),
            "unknown": _person(sanshe_factory, "无生日", "13900000003", None),
        }
        client = sanshe_client_for("community_worker")
        elderly = item_id(sanshe_factory, ELDERLY)
        for expected, person in people.items():
            body = {"item_id": elderly, "person_id": person, "applicant": "申请人", "phone": "13900000009",
                    "received": [0, 1], "acknowledge": expected == "fails"}  # fmt: skip
            made = client.post(f"{API}/intakes", json=body, headers=_headers(client))
            assert made.status_code == 201, made.text
            assert made.json()["age_check"] == expected
            assert client.get(f"{API}/intakes/{made.json()['id']}").json()["age_check"] == expected
        walk_in = {"item_id": elderly, "applicant": "过路人", "phone": "13900000008", "received": [0, 1]}
        assert client.post(f"{API}/intakes", json=walk_in, headers=_headers(client)).json()["age_check"] == "unknown"
        plain = {"item_id": item_id(sanshe_factory, LOW_INCOME), "applicant": "过路人", "phone": "13900000008"}
        assert client.post(f"{API}/intakes", json=plain, headers=_headers(client)).json()["age_check"] is None
