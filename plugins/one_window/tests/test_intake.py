"""Intake at the window: the register prefills the form, the one-time notice lists exactly what is missing,
the clock pauses while documents are missing and the promise moves by the working days waited, not accepted,
and a form posted twice at once opens one case.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.models.cases import Case
from core.plugin_api import TIMEZONE
from core.testing import csrf_of
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.one_window import intake as svc
from plugins.one_window.models import Intake
from plugins.one_window.service import get_item
from plugins.one_window.tests.support import API, WINDOW, api_token, catalogue, counts, item_id, resident

LOW_INCOME = "330203-MZ-001"  # 5 documents; the 5th (残疾证或病历) may be brought later


def _post_intake(client, item: int, person: int | None = None, ticks=(), **fields):
    form = client.get(WINDOW, params={"item": item, **({"person": person} if person else {})}).text
    key = form.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
    data = {
        "_csrf_token": csrf_of(client, WINDOW),
        "item_id": str(item),
        "submission_key": key,
        "applicant": fields.pop("applicant", ""),
        "phone": fields.pop("phone", ""),
        **({"person_id": str(person)} if person else {}),
        **{f"doc_{i}": "on" for i in ticks},
        **fields,
    }
    return client.post(WINDOW, data=data)


class TestPrefill:
    def test_the_form_fills_itself_from_the_register(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Found by phone, the resident's name, phone and address fill the form; the item's documents are listed."""
        catalogue(sanshe_factory)
        person = resident(sanshe_factory, "周敏", "13957423456")
        client = sanshe_client_for("community_worker")
        found = client.get(WINDOW, params={"who": "13957423456"}).text
        assert "周敏" in found and f"person={person}" in found
        form = client.get(WINDOW, params={"item": item_id(sanshe_factory, LOW_INCOME), "person": person}).text
        assert 'name="applicant" value="周敏"' in form
        assert 'name="phone" value="13957423456"' in form
        assert 'name="address" value="偃月小区 3幢 1单元 501室"' in form
        assert "家庭收入情况说明 · 原件 × 1" in form

    def test_the_case_carries_the_register_data(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Accepting with every document opens the case with the resident's data and a promised date."""
        catalogue(sanshe_factory)
        person = resident(sanshe_factory, "周敏", "13957423456")
        client = sanshe_client_for("community_worker")
        page = _post_intake(client, item_id(sanshe_factory, LOW_INCOME), person, ticks=range(5))
        assert page.status_code == 200
        assert "已受理：HA-2026-" in page.text and "申请材料已齐全" in page.text
        assert "承诺办结日期" in page.text and "材料补齐前暂停计时" not in page.text
        case = _case(sanshe_factory)
        assert case.state == "accepted"
        assert case.data["applicant"] == "周敏" and case.data["address"] == "偃月小区 3幢 1单元 501室"
        assert case.data["item_code"] == LOW_INCOME and case.channel == "walk_in"


def _case(factory) -> Case:
    async def work(session):
        return (await session.execute(select(Case).where(Case.case_type_key == "one_window_request"))).scalar_one()

    return factory.run(work)


class TestOneTimeNotice:
    def test_the_notice_lists_exactly_the_unticked_documents(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Ticking documents 1, 2 and 4 of 5: the notice lists the 3rd and the 5th, nothing else, and prints as PDF."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        page = _post_intake(
            client, item_id(sanshe_factory, LOW_INCOME), ticks=(0, 1, 3), applicant="张阿姨", phone="13800138000"
        )
        assert page.status_code == 200
        notice = page.text.split('id="ow-notice"', 1)[1].split("</section>", 1)[0]
        missing = notice.split('class="ow-missing">', 1)[1].split("</ol>", 1)[0]
        assert missing.count("<li>") == 2
        assert "家庭收入情况说明（原件 1 份）" in missing
        assert "残疾证或病历（复印件 1 份，可容缺后补）" in missing
        for received in ("居民身份证", "户口簿", "家庭财产状况申报表"):
            assert received not in missing
        assert "街道便民服务中心一楼综合受理窗口" in notice
        intake = _intake(sanshe_factory)
        assert intake.status == "waiting"
        pdf = client.get(f"/d/haishu/one_window/intakes/{intake.id}/notice.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    def test_only_documents_that_may_come_later_missing_accepts_and_still_notifies(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """Missing only the 'may be brought later' document: accepted with the clock running, the notice lists it."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        page = _post_intake(
            client, item_id(sanshe_factory, LOW_INCOME), ticks=range(4), applicant="张阿姨", phone="13800138000"
        )
        assert "已受理" in page.text and "残疾证或病历（复印件 1 份，可容缺后补）" in page.text
        assert _case(sanshe_factory).state == "accepted"


def _intake(factory) -> Intake:
    async def work(session):
        return (await session.execute(select(Intake))).scalar_one()

    return factory.run(work)


class TestClock:
    def test_the_clock_pauses_and_the_promise_moves_by_the_working_days_waited(self, sanshe_factory, sanshe_district):
        """Received on Friday 20 Nov 2026 (5 working days, one document missing) and completed on Tuesday 24 Nov:
        the case waited with no due date, then the promise is 1 Dec instead of 27 Nov (Mon and Tue waited,
        the weekend not counted)."""
        catalogue(sanshe_factory)
        code = "330203-SB-001"  # 城乡居民基本养老保险参保登记: 5 working days, 3 documents
        item = item_id(sanshe_factory, code)
        friday, tuesday = date(2026, 11, 20), date(2026, 11, 24)

        async def receive(ctx):
            found = await get_item(ctx.session, item)
            given = svc.IntakeInput(
                applicant="刘洋", phone="13858012345", received=frozenset({0, 1}), submission_key="clock-test-0001"
            )
            intake = await svc.start_intake(ctx, found, given, today=friday)
            case, _definition = await svc.case_of(ctx, intake)
            return intake.status, intake.notice_deadline, case.state, case.due_at, case.sla_remaining

        status, deadline, state, due, remaining = sanshe_factory.as_user("community_worker", receive)
        assert (status, state, due) == ("waiting", "awaiting_documents", None)
        assert remaining is not None  # the core keeps what was left on the paused clock (sla_remaining)
        assert deadline == date(2026, 11, 27)  # 5 working days to bring it (the district's setting)

        async def bring(ctx):
            intake = (await ctx.session.execute(select(Intake))).scalar_one()
            await svc.receive_documents(ctx, intake, {2}, today=tuesday)
            case, _definition = await svc.case_of(ctx, intake)
            return intake.status, intake.paused_days, intake.promised_on, case.state, case.due_at

        status, paused, promised, state, due = sanshe_factory.as_user("community_worker", bring)
        assert (status, state, paused) == ("accepted", "accepted", 2)
        assert promised == date(2026, 12, 1)  # not 27 Nov: Mon 23 and Tue 24 were waited
        assert due == datetime(2026, 12, 1, 17, 30, tzinfo=TIMEZONE)

    def test_the_page_shows_the_moved_promise(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Ticking the missing document on the intake page resumes the case: the promised date appears."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        page = _post_intake(
            client, item_id(sanshe_factory, LOW_INCOME), ticks=(0, 1, 3, 4), applicant="张阿姨", phone="13800138000"
        )
        assert "材料补齐前暂停计时" in page.text
        intake = _intake(sanshe_factory)
        url = f"/d/haishu/one_window/intakes/{intake.id}"
        done = client.post(f"{url}/documents", data={"_csrf_token": csrf_of(client, url), "doc_2": "on"})
        assert done.status_code == 200
        assert "申请材料已齐全" in done.text and "材料补齐前暂停计时" not in done.text
        assert _case(sanshe_factory).state == "accepted"


class TestNotAccepted:
    def test_not_accepting_needs_reason_and_basis_and_prints_a_notice(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """Without a reason nothing is recorded (400); with reason and basis the case is closed as 不予受理."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        item = item_id(sanshe_factory, "330203-JS-002")
        refused = _post_intake(client, item, applicant="刘洋", phone="13858012345", decision="refuse")
        assert refused.status_code == 400
        assert "请填写不予受理的理由" in refused.text and "请填写不予受理的法律依据" in refused.text
        assert counts(sanshe_factory) == {"items": 89, "intakes": 0, "cases": 0}
        page = _post_intake(
            client,
            item,
            applicant="刘洋",
            phone="13858012345",
            decision="refuse",
            refusal_reason="女方未满49周岁",
            refusal_basis="《特别扶助制度实施办法》第三条",
        )
        assert "已登记不予受理" in page.text and "女方未满49周岁" in page.text
        assert _case(sanshe_factory).state == "not_accepted"
        intake = _intake(sanshe_factory)
        pdf = client.get(f"/d/haishu/one_window/intakes/{intake.id}/refusal.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get(f"/d/haishu/one_window/intakes/{intake.id}/receipt.pdf").status_code == 404


class TestDoubleSubmit:
    def test_the_same_form_posted_in_parallel_opens_one_case(
        self, sanshe_factory, sanshe_district, sanshe_settings, sanshe_host
    ):
        """Eight API posts of one intake (same submission key) at once: all answered with one reference, one case."""
        from core.testing.apps import lease

        catalogue(sanshe_factory)
        sanshe_factory.user("window", role="community_worker")
        token = api_token(sanshe_factory, "window")
        body = {
            "item_id": item_id(sanshe_factory, "330203-YB-001"),
            "applicant": "刘洋",
            "phone": "13858012345",
            "received": [0, 1],
            "submission_key": "double-click-0001",
        }
        with serve(lease(sanshe_settings, sanshe_host)) as url:
            responses = fire(url, [Call("POST", f"{API}/intakes", json=body, token=token) for _ in range(8)])
        assert [r.status_code for r in responses if r.status_code >= 300] == [], [r.text[:200] for r in responses]
        assert len({r.json()["reference"] for r in responses}) == 1
        assert counts(sanshe_factory) == {"items": 89, "intakes": 1, "cases": 1}

    def test_api_intake_and_late_documents(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Through the API: an intake missing a document waits with no promise; ticking it gives the promise."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        headers = {"x-csrftoken": csrf_of(client, "/d/haishu/")}
        body = {
            "item_id": item_id(sanshe_factory, "330203-YB-001"),
            "applicant": "刘洋",
            "phone": "13858012345",
            "received": [0],
        }
        made = client.post(f"{API}/intakes", json=body, headers=headers)
        assert made.status_code == 201, made.text
        assert made.json()["status"] == "waiting" and made.json()["missing"] == ["户口簿"]
        assert made.json()["promised_on"] is None
        done = client.post(f"{API}/intakes/{made.json()['id']}/documents", json={"received": [1]}, headers=headers)
        assert done.status_code == 200
        assert done.json()["status"] == "accepted" and done.json()["missing"] == []
        assert done.json()["promised_on"] is not None


class TestNoticeToThePhone:
    def test_the_notice_reaches_a_registered_resident_once(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client
    ):
        """A resident of the register with a login, missing 家庭收入情况说明 at the window, finds the one-time notice
        in their inbox (what an SMS channel of the district sends to their phone): the reference, exactly the
        missing document, the day to bring it by and the window's address; posting the same form again sends no
        second notice. A walk-in who is not in the register gets none (the printed notice is theirs)."""
        from core.models.residents import Person
        from core.testing import login
        from plugins.one_window.tests.support import _district

        catalogue(sanshe_factory)
        person = resident(sanshe_factory, "周敏", "13957423456")
        account = sanshe_factory.user("zhoumin", role="resident")

        async def link(session):
            await _district(session)
            (await session.execute(select(Person).where(Person.id == person))).scalar_one().user_id = account

        sanshe_factory.run(link)
        window = sanshe_client_for("community_worker")
        headers = {"x-csrftoken": csrf_of(window, "/d/haishu/")}
        body = {
            "item_id": item_id(sanshe_factory, "330203-MZ-001"),
            "person_id": person,
            "phone": "",
            "received": [0, 1, 3, 4],
            "submission_key": "notice-to-phone-1",
        }
        made = window.post(f"{API}/intakes", json=body, headers=headers).json()
        assert window.post(f"{API}/intakes", json=body, headers=headers).json()["id"] == made["id"]
        stranger = {**body, "person_id": None, "applicant": "路人", "phone": "13900001111", "submission_key": "x" * 12}
        assert window.post(f"{API}/intakes", json=stranger, headers=headers).status_code == 201

        inbox = login(sanshe_client, "zhoumin").get("/api/v1/districts/haishu/notifications").json()
        notices = [n for n in inbox["items"] if n["kind"] == "one_window.notice"]
        assert len(notices) == 1
        assert notices[0]["title"] == f"一次性告知：您的申请 {made['reference']} 还需补交材料"
        assert notices[0]["body"] == (
            f"请于 {made['notice_deadline']} 前将以下材料送到街道便民服务中心一楼综合受理窗口：家庭收入情况说明。"
        )


def _people(factory) -> list[tuple[str, str]]:
    from core.models import Person

    async def work(session):
        return [tuple(r) for r in (await session.execute(select(Person.name, Person.phone).order_by(Person.id))).all()]

    return factory.run(work)


class TestNewResidents:
    def test_a_walk_in_not_in_the_register_is_added_to_it(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """Ticking 加入居民名录 records the applicant (name, phone) and links the request to the new person;
        the next time the window finds them by phone."""
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        form = client.get(WINDOW, params={"item": item_id(sanshe_factory, LOW_INCOME)}).text
        assert "将申请人加入本区居民名录" in form
        page = _post_intake(
            client,
            item_id(sanshe_factory, LOW_INCOME),
            ticks=range(5),
            applicant="孙立",
            phone="139 5742 0001",
            register="on",
        )
        assert page.status_code == 200 and "已受理：HA-2026-" in page.text
        assert _people(sanshe_factory) == [("孙立", "13957420001")]
        intake = sanshe_factory.run(_only_intake)
        assert intake.person_id is not None
        found = client.get(WINDOW, params={"who": "13957420001"}).text
        assert f"person={intake.person_id}" in found

    def test_someone_already_registered_is_refused_and_nothing_is_written(
        self, sanshe_factory, sanshe_district, sanshe_client_for
    ):
        """The same name and phone again: the window is told to choose the person; no request, no case, no person."""
        catalogue(sanshe_factory)
        resident(sanshe_factory, "周敏", "13957423456")
        before = counts(sanshe_factory)
        client = sanshe_client_for("community_worker")
        page = _post_intake(
            client,
            item_id(sanshe_factory, LOW_INCOME),
            ticks=range(5),
            applicant="周敏",
            phone="13957423456",
            register="on",
        )
        assert page.status_code == 400
        assert "居民名录中已有同名同电话的居民，请在上方查找并选择。" in page.text
        assert 'name="applicant" value="周敏"' in page.text  # what was typed is kept
        assert counts(sanshe_factory) == before
        assert _people(sanshe_factory) == [("周敏", "13957423456")]

    def test_the_api_adds_the_applicant_too(self, sanshe_factory, sanshe_district, sanshe_client_for):
        catalogue(sanshe_factory)
        client = sanshe_client_for("community_worker")
        headers = {"x-csrftoken": csrf_of(client, "/d/haishu/")}
        body = {
            "item_id": item_id(sanshe_factory, LOW_INCOME),
            "applicant": "孙立",
            "phone": "13957420001",
            "register": True,
            "received": [0, 1, 2, 3, 4],
        }
        made = client.post(f"{API}/intakes", json=body, headers=headers)
        assert made.status_code == 201, made.text
        assert made.json()["person_id"] is not None
        again = client.post(f"{API}/intakes", json=body, headers=headers)
        assert again.status_code == 400
        assert again.json()["errors"]["register"] == "居民名录中已有同名同电话的居民，请在上方查找并选择。"
        assert _people(sanshe_factory) == [("孙立", "13957420001")]


async def _only_intake(session) -> Intake:
    return (await session.execute(select(Intake))).scalar_one()
