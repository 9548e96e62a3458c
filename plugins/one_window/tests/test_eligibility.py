"""Eligibility conditions checked against the register at the window: age, gender, residence, relation to a home,
no second open request — each 符合 / 不符合 (with the reason) / 无法核对. A request that fails a condition is received
only with the staff's acknowledgement, which the intake and the case's timeline record. The conditions travel
through the item form, the API, the XLSX (bad cells are row errors), the public guide and the item's versions,
and the migration adds and drops them keeping the catalogue."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select, text

from core.db.tenancy import for_district
from core.models import CaseEvent, District, OrgUnit, OrgUnitKind
from core.plugins.migrations import downgrade, upgrade_all
from core.residents import service as registry
from core.testing import csrf_of
from core.testing.apps import lease
from core.testing.browser import serve
from core.testing.factories import make_org_unit
from core.testing.races import Call, fire
from plugins.one_window import intake as svc
from plugins.one_window.models import Intake
from plugins.one_window.tests.support import API, CATALOGUE, WINDOW, api_token, catalogue, counts, item_id, xlsx
from plugins.one_window.xlsx import COLUMNS

WOMAN_ID = "330203196203150425"  # born 1962-03-15; 17th digit 2: a woman
LOW_INCOME = "330203-MZ-001"  # 最低生活保障申请: in the demo, 鼓楼街道 residents, one request at a time


def _headers(client) -> dict[str, str]:
    return {"x-csrftoken": csrf_of(client, "/d/haishu/")}


def _unit(factory, code: str) -> int:
    async def work(session) -> int:
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        query = select(OrgUnit.id).where(OrgUnit.district_id == district.id, OrgUnit.code == code)
        return int((await session.execute(query)).scalar_one())

    return factory.run(work)


def _person(
    factory, name: str, phone: str, *, community: str | None = None, relation: str = "owner", **data: Any
) -> int:
    """A person of the register (``data``: id_number, gender, birth_date), in a household of an estate of
    ``community`` with ``relation`` when one is given."""

    async def work(session) -> int:
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        parent = None
        if community is not None:
            query = select(OrgUnit).where(OrgUnit.district_id == district.id, OrgUnit.code == community)
            parent = (await session.execute(query)).scalar_one()
        for_district(session, district.id)
        values = {"name": name, "phone": phone, **data}
        if "id_number" in data or "birth_date" in data:
            values["consent_method"] = "written"
        person = await registry.create_person(session, district.id, None, values)
        if parent is not None:
            estate = await make_org_unit(
                session, district, f"estate-{phone}", f"{name}小区", OrgUnitKind.ESTATE, parent
            )
            household = await registry.create_household(
                session, district.id, {"estate_id": estate.id, "building": "1", "unit": "1", "room": "101"}
            )
            await registry.add_member(session, district.id, household, person.id, relation)
        for_district(session, None)
        return person.id

    return factory.run(work)


def _born(age: int) -> str:
    return date(svc.today_local().year - age, 1, 1).isoformat()


def _world(factory) -> dict[str, int]:
    """The demo catalogue; 黄美华 (a woman of 64 by her ID number, owner in 平桥社区), 小李 (a man of 45, tenant in
    牡丹社区), 无资料 (no gender, no birth date, no household)."""
    catalogue(factory)
    return {
        "fits": _person(factory, "黄美华", "13777812345", community="pingqiao", id_number=WOMAN_ID),
        "fails": _person(
            factory, "小李", "13900000002", community="mudan", relation="tenant", gender="male", birth_date=_born(45)
        ),
        "unknown": _person(factory, "无资料", "13900000003"),
    }


def _item(client, factory) -> int:
    """An item for women of 60 and over who own a home in 平桥社区, one request at a time (made through the API)."""
    department = client.get(f"{API}/items", params={"q": LOW_INCOME}).json()[0]["department_id"]
    body = {
        "code": "330203-MZ-400",
        "title": "平桥社区业主敬老慰问",
        "department_id": department,
        "time_limit_days": 5,
        "conditions": "家庭人均收入低于低保标准的1.5倍（凭收入证明核对）。",
        "documents": [{"name": "居民身份证", "form": "original", "count": 1, "later": False}],
        "min_age": 60,
        "gender": "female",
        "residence": _unit(factory, "pingqiao"),
        "relations": ["owner", "co_owner"],
        "no_duplicate": True,
    }
    made = client.post(f"{API}/items", json=body, headers=_headers(client))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _statuses(page: str) -> dict[str, str]:
    found = {}
    for kind in ("age", "gender", "residence", "relation", "duplicate"):
        marker = f'data-check="{kind}" data-status="'
        if marker in page:
            found[kind] = page.split(marker, 1)[1].split('"', 1)[0]
    return found


class TestAtTheWindow:
    def test_each_condition_meets_fails_or_cannot_be_checked(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The window states each checked condition against the chosen resident in words: all 符合 for 黄美华; each
        不符合 with its reason for 小李; 无法核对 for 无资料 (in the register, data missing: only the repeat check
        passes) and for a walk-in (not in the register); the free text stays as 需核对材料."""
        people = _world(sanshe_factory)
        client = sanshe_client_for("community_worker")
        item = _item(client, sanshe_factory)

        def window(**params: Any) -> str:
            response = client.get(WINDOW, params={"item": item, **params})
            assert response.status_code == 200
            return response.text

        fits = window(person=people["fits"])
        kinds = ("age", "gender", "residence", "relation", "duplicate")
        assert _statuses(fits) == dict.fromkeys(kinds, "meets")
        assert "符合性别条件：本事项限女性" in fits
        assert "符合居住条件：申请人在居民名录中登记为平桥社区住户" in fits
        assert "符合房屋条件：居民名录记载申请人为住房的产权人或共有产权人" in fits
        assert "符合不重复申请条件：申请人本事项无在办申请" in fits
        assert 'id="ow-acknowledge"' not in fits
        assert "需核对材料" in fits and "家庭人均收入低于低保标准的1.5倍" in fits

        fails = window(person=people["fails"])
        assert _statuses(fails) == {**dict.fromkeys(kinds[:4], "fails"), "duplicate": "meets"}
        assert "不符合年龄条件：本事项须年满 60 周岁，申请人 45 周岁" in fails
        assert "不符合性别条件：本事项仅限女性，居民名录记载申请人为男性" in fails
        assert "不符合居住条件：本事项限平桥社区居民，申请人在居民名录中的住户不在该范围内" in fails
        assert "不符合房屋条件：本事项限住房的产权人或共有产权人，居民名录未记载申请人为此" in fails
        assert 'id="ow-acknowledge"' in fails and "申请人有 4 项条件不符合" in fails

        unknown = window(person=people["unknown"])
        assert _statuses(unknown) == {**dict.fromkeys(kinds[:4], "unknown"), "duplicate": "meets"}
        assert "性别无法从居民名录核对，请查验证件" in unknown
        assert "居住条件无法从居民名录核对（未登记住户），请查验户口簿或居住证" in unknown
        assert "房屋条件无法从居民名录核对（未登记住户），请查验房产证或租赁合同" in unknown
        walk_in = window()
        assert _statuses(walk_in) == dict.fromkeys(kinds, "unknown")
        assert "无法核对是否重复申请：申请人未从居民名录中选择" in walk_in

    def test_a_failed_condition_needs_the_acknowledgement_which_is_recorded(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """The form without the tick is refused (400, the message by the box, nothing recorded); with it the request
        is received, the intake keeps every check and the acknowledgement, and the case's timeline says so."""
        people = _world(sanshe_factory)
        client = sanshe_client_for("community_worker")
        item = _item(client, sanshe_factory)
        page = client.get(WINDOW, params={"item": item, "person": people["fails"]}).text
        key = page.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
        form = {
            "_csrf_token": csrf_of(client, WINDOW),
            "item_id": str(item),
            "person_id": str(people["fails"]),
            "submission_key": key,
            "applicant": "小李",
            "phone": "13900000002",
            "channel": "walk_in",
            "doc_0": "on",
            "decision": "accept",
        }
        refused = client.post(WINDOW, data=form)
        assert refused.status_code == 400
        assert "申请人有 4 项受理条件不符合：请勾选确认后仍予受理，或选择不予受理。" in refused.text
        assert counts(sanshe_factory)["intakes"] == 0

        received = client.post(WINDOW, data={**form, "acknowledge": "on"}, follow_redirects=False)
        assert received.status_code in (302, 303), received.text
        intake = _only_intake(sanshe_factory)
        assert intake["acknowledged"] is True
        assert [c["status"] for c in intake["eligibility"]] == ["fails", "fails", "fails", "fails", "meets"]
        assert intake["eligibility"][1]["text"] == "不符合性别条件：本事项仅限女性，居民名录记载申请人为男性"
        assert any(
            "受理条件核对：不符合年龄条件" in t and "工作人员已确认，仍予受理。" in t for t in intake["timeline"]
        )
        page = client.get(f"{CATALOGUE}/intakes/{intake['id']}").text
        assert 'id="ow-acknowledged"' in page and "经工作人员确认仍予受理" in page
        assert "不符合性别条件：本事项仅限女性，居民名录记载申请人为男性" in page
        shown = client.get(f"{API}/intakes/{intake['id']}").json()
        assert shown["acknowledged"] is True
        assert [(c["kind"], c["status"]) for c in shown["eligibility"]][:2] == [("age", "fails"), ("gender", "fails")]
        # The checks are kept in both languages: the English interface shows them in English.
        client.post("/lang", data={"lang": "en", "_csrf_token": csrf_of(client, "/me")})
        page = client.get(f"{CATALOGUE}/intakes/{intake['id']}").text
        assert "不符合性别条件" not in page
        assert "Does not meet the gender condition" in page
        shown = client.get(f"{API}/intakes/{intake['id']}").json()
        assert shown["eligibility"][1]["text"].startswith("Does not meet the gender condition")

    def test_the_api_refuses_without_acknowledge_and_a_second_open_request_fails(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """Through the API: 黄美华 meets everything (no acknowledgement needed, every check in the answer); her second
        request while the first is open fails the repeat condition (400 without ``acknowledge``, naming the first
        request); a not-accepted request (不予受理) needs no acknowledgement."""
        people = _world(sanshe_factory)
        client = sanshe_client_for("community_worker")
        item = _item(client, sanshe_factory)
        body = {"item_id": item, "person_id": people["fits"], "applicant": "黄美华", "phone": "13777812345",
                "received": [0]}  # fmt: skip
        first = client.post(f"{API}/intakes", json=body, headers=_headers(client))
        assert first.status_code == 201, first.text
        assert {c["status"] for c in first.json()["eligibility"]} == {"meets"}
        assert first.json()["acknowledged"] is False
        again = client.post(f"{API}/intakes", json=body, headers=_headers(client))
        assert again.status_code == 400
        assert "申请人有 1 项受理条件不符合" in again.json()["errors"]["acknowledge"]
        refusal = {**body, "refusal_reason": "重复申请。", "refusal_basis": "《办事指南》"}
        not_accepted = client.post(f"{API}/intakes", json=refusal, headers=_headers(client))
        assert not_accepted.status_code == 201 and not_accepted.json()["status"] == "refused"
        second = client.post(f"{API}/intakes", json={**body, "acknowledge": True}, headers=_headers(client))
        assert second.status_code == 201, second.text
        duplicate = second.json()["eligibility"][-1]
        assert duplicate["kind"] == "duplicate" and duplicate["status"] == "fails"
        assert duplicate["text"] == f"不符合不重复申请条件：申请人本事项的申请 {first.json()['reference']} 仍在办理中"
        assert second.json()["acknowledged"] is True


def test_requests_sent_at_once_leave_one_open_request_without_acknowledgement(
    sanshe_factory, sanshe_district, sanshe_settings, sanshe_host
):
    """Six requests of 黄美华 for an item with the repeat rule, sent at once without ``acknowledge``: exactly one is
    received (the others fail the repeat check, 400), so the rule holds under concurrency on both backends."""
    people = _world(sanshe_factory)
    sanshe_factory.user("window-clerk", role="community_worker")
    token = api_token(sanshe_factory, "window-clerk")
    item = item_id(sanshe_factory, LOW_INCOME)  # 鼓楼街道 residents, one request at a time
    body = {"item_id": item, "person_id": people["fits"], "applicant": "黄美华", "phone": "13777812345",
            "received": [0, 1, 2, 3, 4]}  # fmt: skip
    with serve(lease(sanshe_settings, sanshe_host)) as url:
        calls = [
            Call("POST", f"{API}/intakes", json={**body, "submission_key": f"race-{n:04d}"}, token=token)
            for n in range(6)
        ]
        answers = fire(url, calls)
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 400, 400, 400, 400, 400], [a.text for a in answers]
    assert all(
        "申请人有 1 项受理条件不符合" in a.json()["errors"]["acknowledge"] for a in answers if a.status_code == 400
    )
    assert counts(sanshe_factory)["intakes"] == 1


def _only_intake(factory) -> dict[str, Any]:
    async def work(session) -> dict[str, Any]:
        intake = (await session.execute(select(Intake))).scalar_one()
        events = await session.execute(
            select(CaseEvent.payload).where(CaseEvent.case_id == intake.case_id, CaseEvent.kind == "comment")
        )
        return {
            "id": intake.id,
            "acknowledged": intake.acknowledged,
            "eligibility": intake.eligibility,
            "timeline": [str(p.get("text", "")) for p in events.scalars()],
        }

    return factory.run(work)


class TestTheCatalogue:
    def test_the_item_form_keeps_the_conditions_and_refuses_bad_ones(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """The form saves gender, residence, relation and the repeat rule; the edit form shows them chosen; the item
        page and the public guide state them in words; a residence that is not a street or community of the
        district is refused next to the field and nothing is saved."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("district_admin")
        department = client.get(f"{API}/items", params={"q": LOW_INCOME}).json()[0]["department_id"]
        pingqiao = _unit(sanshe_factory, "pingqiao")
        form = {
            "_csrf_token": csrf_of(client, f"{CATALOGUE}/items/new"),
            "code": "330203-MZ-401",
            "title": "孕妇营养补助",
            "department_id": str(department),
            "time_limit_days": "5",
            "documents": "居民身份证，原件",
            "is_active": "on",
            "gender": "female",
            "residence": str(pingqiao),
            "relations": "owner,co_owner,tenant",
            "no_duplicate": "on",
            "conditions": "持孕产妇保健手册。",
        }
        bad = client.post(f"{CATALOGUE}/items", data={**form, "residence": "999999"})
        assert bad.status_code == 400 and "请选择本辖区或辖区内的街道、社区。" in bad.text
        assert counts(sanshe_factory)["items"] == 89
        saved = client.post(f"{CATALOGUE}/items", data=form, follow_redirects=True)
        assert saved.status_code == 200
        for line in ("限女性", "平桥社区居民（居民名录登记住户）", "居民名录登记的住房产权人、共有产权人或租户",
                     "本事项办理期间不得重复申请", "持孕产妇保健手册。"):  # fmt: skip
            assert line in saved.text, line
        item = item_id(sanshe_factory, "330203-MZ-401")
        edit = client.get(f"{CATALOGUE}/items/{item}/edit").text
        assert '<option value="female" selected' in edit
        assert f'<option value="{pingqiao}" selected' in edit
        assert '<option value="owner,co_owner,tenant" selected' in edit
        assert 'name="no_duplicate" value="on" checked' in edit
        public = client.get("/d/haishu/public/one_window/330203-MZ-401").text
        assert "限女性" in public and "平桥社区居民（居民名录登记住户）" in public
        got = client.get(f"{API}/items/{item}").json()
        assert (got["gender"], got["residence"], got["relations"], got["no_duplicate"]) == (
            "female",
            pingqiao,
            ["owner", "co_owner", "tenant"],
            True,
        )

    def test_the_api_refuses_bad_conditions_by_field(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """A residence outside the district's streets and communities is refused by field and nothing changes;
        a valid change publishes the next version; clearing with null removes the condition."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("district_admin")
        item = item_id(sanshe_factory, LOW_INCOME)
        before = client.get(f"{API}/items/{item}").json()
        assert before["residence"] == _unit(sanshe_factory, "gulou") and before["no_duplicate"] is True
        bad = client.patch(f"{API}/items/{item}", json={"residence": 999_999}, headers=_headers(client))
        assert bad.status_code == 400
        assert bad.json()["extra"]["errors"]["residence"] == "请选择本辖区或辖区内的街道、社区。"
        assert client.get(f"{API}/items/{item}").json() == before
        cleared = client.patch(f"{API}/items/{item}", json={"residence": None}, headers=_headers(client))
        assert cleared.status_code == 200
        assert (cleared.json()["residence"], cleared.json()["no_duplicate"], cleared.json()["version"]) == (
            None,
            True,
            2,
        )

    def test_the_xlsx_carries_the_conditions_and_names_bad_cells(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """The export has the four columns in words (本辖区 or the place's name, 产权人、租户 …); an import with a bad
        gender, place, relation or yes/no names each row and column and imports nothing; a good sheet sets them."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("district_admin")
        exported = client.get(f"{CATALOGUE}/export.xlsx")
        assert exported.status_code == 200
        sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = rows[0]
        assert header[-4:] == ["性别条件", "居住条件", "房屋关系条件", "不得重复申请"]
        by_code = {r[0]: r for r in rows[1:]}
        assert by_code["330203-MZ-004"][-4:] == [None, "鼓楼街道", None, "是"]
        assert by_code["330203-CL-009"][-4:] == [None, "鼓楼街道", "产权人、共有产权人、租户", "否"]
        assert by_code["330203-JS-011"][-4:][0] == "女"

        def row(code: str, **cells: str) -> list[Any]:
            values = dict(zip([k for k, _h in COLUMNS], by_code[code], strict=True))
            values.update(cells)
            return [values[k] for k, _h in COLUMNS]

        bad = xlsx(
            [
                row("330203-MZ-004", gender="男女"),
                row("330203-MZ-005", residence="火星社区"),
                row("330203-CL-009", relations="产权人、房东"),
                row("330203-JS-011", no_duplicate="也许"),
            ]
        )
        token = csrf_of(client, f"{CATALOGUE}/import")
        files = {"file": ("catalogue.xlsx", bad, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
        answer = client.post(f"{CATALOGUE}/import", data={"_csrf_token": token}, files=files)
        assert answer.status_code == 400
        expected = ("第 2 行", "性别条件", "请选择女性、男性或不限。", "第 3 行", "居住条件", "第 4 行", "房屋关系条件",
                    "无法识别“房东”", "第 5 行", "不得重复申请", "请填写“是”或“否”。")  # fmt: skip
        for words in expected:
            assert words in answer.text, words
        assert client.get(f"{API}/items/{item_id(sanshe_factory, '330203-MZ-004')}").json()["gender"] is None
        good = xlsx([row("330203-MZ-004", gender="女", residence="平桥社区", relations="户主", no_duplicate="否")])
        files = {"file": ("catalogue.xlsx", good, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
        done = client.post(f"{CATALOGUE}/import", data={"_csrf_token": token}, files=files)
        assert done.status_code == 200, done.text
        got = client.get(f"{API}/items/{item_id(sanshe_factory, '330203-MZ-004')}").json()
        assert (got["gender"], got["residence"], got["relations"], got["no_duplicate"]) == (
            "female",
            _unit(sanshe_factory, "pingqiao"),
            ["owner"],
            False,
        )


def test_a_request_keeps_its_versions_conditions(sanshe_factory, sanshe_district, sanshe_client_for):
    """A request received under version 1 (for women of 平桥社区 …) keeps that version's checks after the item drops
    them in version 2; version 1 still states them, and a new request is checked against version 2."""
    people = _world(sanshe_factory)
    client = sanshe_client_for("district_admin")
    item = _item(client, sanshe_factory)
    body = {"item_id": item, "person_id": people["fails"], "applicant": "小李", "phone": "13900000002",
            "received": [0], "acknowledge": True}  # fmt: skip
    first = client.post(f"{API}/intakes", json=body, headers=_headers(client)).json()
    assert first["item_version"] == 1 and len(first["eligibility"]) == 5
    change = {"gender": "", "residence": None, "relations": [], "min_age": None, "no_duplicate": False}
    changed = client.patch(f"{API}/items/{item}", json=change, headers=_headers(client))
    assert changed.status_code == 200 and changed.json()["version"] == 2
    old = client.get(f"{API}/items/{item}/versions/1").json()
    assert (old["gender"], old["relations"], old["no_duplicate"]) == ("female", ["owner", "co_owner"], True)
    assert "限女性" in client.get(f"{CATALOGUE}/items/{item}/versions/1").text
    kept = client.get(f"{API}/intakes/{first['id']}").json()
    assert [c["status"] for c in kept["eligibility"]] == ["fails", "fails", "fails", "fails", "meets"]
    later = client.post(f"{API}/intakes", json={**body, "acknowledge": False}, headers=_headers(client)).json()
    assert later["item_version"] == 2 and later["eligibility"] == []


def test_the_migration_adds_and_drops_the_conditions_keeping_the_catalogue(
    sanshe_factory, sanshe_district, sanshe_database_url, sanshe_host
):
    """Down to one_window_0004 the checked conditions go and the items, versions and age rules stay; up again every
    item has no checked condition ({}) and its age rule as before."""
    catalogue(sanshe_factory)

    async def snapshot(session) -> dict[str, Any]:
        rows = await session.execute(text("SELECT code, min_age FROM one_window_item ORDER BY code"))
        versions = await session.execute(text("SELECT count(*) FROM one_window_item_version"))
        return {"items": dict(rows.tuples().all()), "versions": versions.scalar_one()}

    async def columns(session) -> set[str]:
        return {
            str(r[0])
            for r in await session.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'one_window_item'"
                    if session.bind.dialect.name == "postgresql"
                    else "SELECT name FROM pragma_table_info('one_window_item')"
                )
            )
        }

    before = sanshe_factory.run(snapshot)
    assert before["items"]["330203-MZ-004"] == 80
    asyncio.run(downgrade(sanshe_database_url, "one_window_0004", plugin="one_window", host=sanshe_host))
    assert "checks" not in sanshe_factory.run(columns)
    assert sanshe_factory.run(snapshot) == before
    asyncio.run(upgrade_all(sanshe_database_url, host=sanshe_host))
    assert "checks" in sanshe_factory.run(columns)
    assert sanshe_factory.run(snapshot) == before

    async def checks(session) -> set[str]:
        return {str(c) for c in (await session.execute(text("SELECT checks FROM one_window_item"))).scalars()}

    assert sanshe_factory.run(checks) == {"{}"}
