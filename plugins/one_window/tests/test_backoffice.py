"""The back office together: the route's departments in parallel and the join once all have answered (also when
they answer at the same moment), each department's own queue (pages, API, counts), the time limits on the
working-day calendar with warnings before they run out, the result for the resident, the public progress lookup
(a wrong phone answers like a wrong reference; ten lookups in ten minutes), and the reports.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.models.cases import Case
from core.models.notifications import Notification
from core.plugin_api import TIMEZONE, JobContext
from core.testing import csrf_of
from core.testing.cpu import thread_cpu
from core.testing.races import Call, fire
from plugins.one_window import backoffice as bo
from plugins.one_window import intake as svc
from plugins.one_window.models import Intake, Item
from plugins.one_window.models_backoffice import Step
from plugins.one_window.tests.support import API, _district, api_token, catalogue

D = "/d/haishu"
ITEM = "330203-MZ-001"  # 最低生活保障申请: 5 documents, 20 working days
OFFICERS = {"mz-officer": "gulou-mz", "cl-officer": "gulou-cl", "sb-officer": "gulou-sb"}


def _setup(factory, route: str = "鼓楼街道民政办、鼓楼街道残联，3\n鼓楼街道民政办，2") -> int:
    """The demo catalogue, ITEM routed as ``route``, an officer of three departments; returns the item's id."""
    catalogue(factory)
    for username, unit in OFFICERS.items():
        factory.user(username, role="one_window_department", org_unit=unit)

    async def work(session):
        district = await _district(session)
        from core.plugin_api import for_district

        for_district(session, district.id)
        keys = await __import__("plugins.one_window.service", fromlist=["x"]).department_keys(session)
        parsed, problem = bo.parse_route(route, keys)
        assert problem is None, problem
        item = (await session.execute(select(Item).where(Item.code == ITEM))).scalar_one()
        item.route = parsed
        return item.id

    return factory.run(work)


def _intake(client, item: int, phone: str = "13957423456") -> dict:
    headers = {"x-csrftoken": csrf_of(client, f"{D}/")}
    body = {"item_id": item, "applicant": "周敏", "phone": phone, "received": [0, 1, 2, 3, 4]}
    answer = client.post(f"{API}/intakes", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _steps(client, token: str, status: str = "open") -> list[dict]:
    answer = client.get(f"{API}/steps", params={"status": status}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _answer(client, token: str, step: int, decision: str = "agree", opinion: str = "符合条件"):
    return client.post(
        f"{API}/steps/{step}/answer",
        json={"decision": decision, "opinion": opinion},
        headers={"Authorization": f"Bearer {token}"},
    )


def _case_state(factory, reference: str) -> str:
    return factory.case_state(reference)


class TestRoute:
    def test_parallel_departments_join_then_the_next_stage_then_the_result(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client
    ):
        """The accepted request reaches 民政办 and 残联 at once (not 社保所); one answer does not move it on; the
        second joins the stage and opens the next (民政办 again); its answer finishes the request: the case is
        completed with the outcome and the resident's progress lookup says 准予办理."""
        item = _setup(sanshe_factory)
        window = sanshe_client_for("community_worker")
        made = _intake(window, item)
        tokens = {u: api_token(sanshe_factory, u) for u in OFFICERS}
        mz, cl = _steps(sanshe_client, tokens["mz-officer"]), _steps(sanshe_client, tokens["cl-officer"])
        assert [s["reference"] for s in mz] == [made["reference"]] == [s["reference"] for s in cl]
        assert mz[0]["stage"] == 0 and mz[0]["days"] == 3
        assert _steps(sanshe_client, tokens["sb-officer"]) == []
        assert _answer(sanshe_client, tokens["sb-officer"], mz[0]["id"]).status_code == 404  # not its step
        assert _answer(sanshe_client, tokens["mz-officer"], mz[0]["id"]).status_code == 200
        assert _steps(sanshe_client, tokens["mz-officer"]) == []  # waiting for 残联: stage 2 not open yet
        again = _answer(sanshe_client, tokens["mz-officer"], mz[0]["id"])
        assert again.status_code == 400 and "已办理" in again.text
        assert _answer(sanshe_client, tokens["cl-officer"], cl[0]["id"], opinion="残疾证核验无误").status_code == 200
        second = _steps(sanshe_client, tokens["mz-officer"])
        assert [(s["stage"], s["days"]) for s in second] == [(1, 2)]
        assert _case_state(sanshe_factory, made["reference"]) == "accepted"
        assert _answer(sanshe_client, tokens["mz-officer"], second[0]["id"], opinion="同意发放").status_code == 200
        assert _case_state(sanshe_factory, made["reference"]) == "completed"
        staff = window.get(f"{API}/intakes/{made['id']}").json()
        assert staff["status"] == "done" and staff["result"] == "agreed"
        page = window.get(f"{D}/one_window/intakes/{made['id']}").text
        assert "准予办理" in page and "残疾证核验无误" in page and "同意发放" in page
        lookup = sanshe_client.post(
            f"{D}/public/one_window/progress",
            data={
                "reference": made["reference"],
                "phone": "13957423456",
                "_csrf_token": csrf_of(sanshe_client, f"{D}/public/one_window/progress"),
            },
        )
        assert lookup.status_code == 200 and "准予办理" in lookup.text and "已办结" in lookup.text
        assert "周敏" not in lookup.text and "13957423456" not in lookup.text

    def test_a_department_that_does_not_agree_ends_the_route_at_the_join(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client
    ):
        """残联 does not agree: once 民政办 has answered too the request is finished as 不予办理 with the opinion;
        the second stage never opens."""
        item = _setup(sanshe_factory)
        made = _intake(sanshe_client_for("community_worker"), item)
        tokens = {u: api_token(sanshe_factory, u) for u in ("mz-officer", "cl-officer")}
        cl = _steps(sanshe_client, tokens["cl-officer"])[0]
        assert _answer(sanshe_client, tokens["cl-officer"], cl["id"], "disagree", "非本街道户籍").status_code == 200
        assert _case_state(sanshe_factory, made["reference"]) == "accepted"
        mz = _steps(sanshe_client, tokens["mz-officer"])[0]
        assert _answer(sanshe_client, tokens["mz-officer"], mz["id"]).status_code == 200
        assert _case_state(sanshe_factory, made["reference"]) == "completed"
        assert _steps(sanshe_client, tokens["mz-officer"]) == []

    def test_a_bad_route_is_refused_with_its_line(self, sanshe_factory, sanshe_district, sanshe_client_for):
        """The item form names the route's bad line and keeps the item; stages longer than the promise are refused."""
        item = _setup(sanshe_factory)
        admin = sanshe_client_for("district_admin")
        form = admin.get(f"{D}/one_window/items/{item}/edit").text
        assert "鼓楼街道民政办、鼓楼街道残联，3" in form
        headers = {"x-csrftoken": csrf_of(admin, f"{D}/")}
        bad = admin.patch(
            f"{API}/items/{item}", json={"route": [{"departments": [999999], "days": 3}]}, headers=headers
        )
        assert bad.status_code == 400 and "route" in bad.json()["extra"]["errors"]
        long = admin.patch(
            f"{API}/items/{item}", json={"route": [{"departments": [bad_id(admin)], "days": 30}]}, headers=headers
        )
        assert long.status_code == 400 and "时限" in long.json()["extra"]["errors"]["route"]
        assert [s["days"] for s in admin.get(f"{API}/items/{item}").json()["route"]] == [3, 2]


def bad_id(client) -> int:
    """The id of a real department (the item's own), read from the API."""
    return client.get(f"{API}/items", params={"q": ITEM}).json()[0]["department_id"]


class TestQueues:
    def test_a_department_sees_only_what_was_sent_to_it(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client
    ):
        """社保所's officer: an empty queue with count 0, 404 on 民政办's step page and API, 403 on the intakes,
        the catalogue and the reports; 民政办's officer sees the request in the queue with its count."""
        item = _setup(sanshe_factory)
        made = _intake(sanshe_client_for("community_worker"), item)
        step = _steps(sanshe_client, api_token(sanshe_factory, "mz-officer"))[0]
        social_security = sanshe_client_for("one_window_department", org_unit="gulou-sb")
        queue = social_security.get(f"{D}/one_window/steps").text
        assert made["reference"] not in queue and "0 件办理中" in queue
        assert social_security.get(f"{D}/one_window/steps/{step['id']}").status_code == 404
        assert social_security.get(f"{API}/steps/{step['id']}").status_code == 404
        for path in ("/one_window/intakes", "/one_window", "/one_window/reports", f"/one_window/intakes/{made['id']}"):
            assert social_security.get(D + path).status_code == 403, path
        civil = api_token(sanshe_factory, "mz-officer")
        assert [s["reference"] for s in _steps(sanshe_client, civil)] == [made["reference"]]


class TestTimeLimits:
    def test_steps_are_due_on_working_days_and_warned_once(self, sanshe_factory, sanshe_district):
        """Received on Friday 20 Nov 2026: the 3-working-day stage is due Wednesday 25 Nov (the weekend does not
        count). The morning job on Tuesday 24 Nov warns both departments' officers once (run twice: still once);
        on Thursday 26 Nov they are told it is overdue."""
        item = _setup(sanshe_factory)

        async def receive(ctx):
            found = (await ctx.session.execute(select(Item).where(Item.id == item))).scalar_one()
            data = svc.IntakeInput(
                "周敏", "13957423456", received=frozenset(range(5)), submission_key="friday-intake-01"
            )
            made = await svc.start_intake(ctx, found, data, today=date(2026, 11, 20))
            return [(s.stage, s.status, s.due_on) for s in await bo.steps_of(ctx.session, made.id)]

        steps = sanshe_factory.as_user("community_worker", receive)
        assert steps[:2] == [(0, "open", date(2026, 11, 25)), (0, "open", date(2026, 11, 25))]
        assert steps[2] == (1, "waiting", None)

        def morning(day: int) -> dict[str, int]:
            async def work(session):
                district = await _district(session)
                from core.plugin_api import for_district

                for_district(session, district.id)
                now = datetime(2026, 11, day, 8, 0, tzinfo=TIMEZONE)
                result = await bo.send_warnings(JobContext(session, district, now, now, "one_window.warnings"))
                return result.counts

            return sanshe_factory.run(work)

        assert morning(23)["steps"] == 0  # Monday: two working days left, more than the one to warn at
        assert morning(24)["steps"] == 2
        assert morning(24)["steps"] == 0
        assert morning(26)["steps"] == 2

        async def kinds(session):
            query = select(Notification.kind, func.count()).group_by(Notification.kind)
            return dict((await session.execute(query)).tuples().all())

        seen = sanshe_factory.run(kinds)
        assert seen["one_window.step_due"] == 2 and seen["one_window.step_overdue"] == 2
        assert seen["one_window.step_new"] == 2  # each department was told when the request reached it


class TestRaces:
    def test_departments_answering_at_the_same_moment_join_once(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_settings, sanshe_host
    ):
        """Three requests routed to 民政办 and 残联 in parallel (one stage); both departments answer all three at
        the same moment: every answer is taken, and each case is completed exactly once."""
        from core.testing.apps import lease
        from core.testing.browser import serve

        item = _setup(sanshe_factory, "鼓楼街道民政办、鼓楼街道残联，5")
        window = sanshe_client_for("community_worker")
        made = [_intake(window, item, phone=f"1395742345{i}") for i in range(3)]
        tokens = {u: api_token(sanshe_factory, u) for u in ("mz-officer", "cl-officer")}
        calls = []
        for token in tokens.values():
            for step in _steps(window, token):
                calls.append(
                    Call(
                        "POST",
                        f"{API}/steps/{step['id']}/answer",
                        json={"decision": "agree", "opinion": "同意"},
                        token=token,
                    )
                )
        assert len(calls) == 6
        with serve(lease(sanshe_settings, sanshe_host)) as url:
            responses = fire(url, calls)
        assert [r.status_code for r in responses] == [200] * 6, [r.text[:200] for r in responses]

        async def finished(session):
            completed = select(func.count()).select_from(Case).where(Case.state == "completed")
            done = select(func.count()).select_from(Intake).where(Intake.status == "done")
            return int((await session.execute(completed)).scalar_one()), int((await session.execute(done)).scalar_one())

        assert sanshe_factory.run(finished) == (3, 3)
        for m in made:
            assert _case_state(sanshe_factory, m["reference"]) == "completed"


class TestProgress:
    def test_a_wrong_phone_answers_like_a_wrong_reference_and_lookups_are_limited(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_settings, sanshe_host
    ):
        """No login: the right reference and phone show where the request stands (民政办 and 残联 at work); a wrong
        phone and an unknown reference get the very same answer; of 14 lookups fired at once from one address,
        exactly 10 are answered and the rest told to wait (429)."""
        import httpx

        from core.testing.apps import lease
        from core.testing.browser import serve

        item = _setup(sanshe_factory)
        made = _intake(sanshe_client_for("community_worker"), item)
        path = f"{D}/public/one_window/progress"
        with serve(lease(sanshe_settings, sanshe_host)) as url:
            client = httpx.Client(base_url=url, timeout=30)
            token = csrf_of(client, path)

            def ask(reference, phone):
                return client.post(path, data={"reference": reference, "phone": phone, "_csrf_token": token})

            right = ask(made["reference"], "139 5742 3456")
            assert right.status_code == 200 and "鼓楼街道残联" in right.text and "办理中" in right.text
            assert "未开始" in right.text  # the second stage has not begun
            wrong_phone = ask(made["reference"], "13900000000").text
            wrong_ref = ask("HA-2026-999999", "13957423456").text
            section = lambda text: text.split('id="ow-progress"', 1)[1].split("</section>", 1)[0]  # noqa: E731
            assert section(wrong_phone) == section(wrong_ref)
            assert "未找到" in section(wrong_phone) and made["reference"] not in section(wrong_phone)
            client.headers["x-sanshe-csrf"] = token
            calls = [
                Call("POST", path, data={"reference": made["reference"], "phone": "x"}, client=client, csrf=True)
                for _ in range(14)
            ]
            statuses = sorted(r.status_code for r in fire(url, calls))
            client.close()
        assert statuses == [200] * 7 + [429] * 7  # 3 asked before + 7 = 10 in the ten minutes


class TestReports:
    def test_figures_page_api_and_xlsx(self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client):
        """Two requests (one by phone, one missing a document that may come later), one step answered: the page, the
        API and the XLSX show received per channel and department, 民政办 100% on time, the missing document."""
        item = _setup(sanshe_factory)
        window = sanshe_client_for("community_worker")
        made = _intake(window, item)
        headers = {"x-csrftoken": csrf_of(window, f"{D}/")}
        body = {
            "item_id": item,
            "applicant": "刘洋",
            "phone": "13858012345",
            "received": [0, 1, 2, 3],
            "channel": "phone",
        }
        assert window.post(f"{API}/intakes", json=body, headers=headers).status_code == 201
        token = api_token(sanshe_factory, "mz-officer")
        step = next(s for s in _steps(sanshe_client, token) if s["reference"] == made["reference"])
        assert _answer(sanshe_client, token, step["id"]).status_code == 200
        admin = sanshe_client_for("district_admin")
        page = admin.get(f"{D}/one_window/reports")
        assert page.status_code == 200
        assert "鼓楼街道民政办" in page.text and "电话" in page.text and "100%" in page.text
        assert "残疾证或病历" in page.text
        data = admin.get(f"{API}/reports").json()
        assert sorted(r["channel"] for r in data["received"]) == ["phone", "walk_in"]
        assert [(r["answered"], r["on_time"]) for r in data["on_time"]] == [(1, 1)]
        assert data["missing"] == [{"name": "残疾证或病历", "count": 1}]
        book = load_workbook(io.BytesIO(admin.get(f"{D}/one_window/reports.xlsx").content))
        assert book.sheetnames == ["受理量", "按时办结率", "常缺材料", "三级响应"]
        assert [c.value for c in book["常缺材料"][2]] == ["残疾证或病历", 1]
        assert sanshe_client_for("volunteer").get(f"{D}/one_window/reports").status_code == 403


class TestDemo:
    def test_the_demo_has_requests_in_every_back_office_state(self, sanshe_factory, sanshe_district, sanshe_client):
        """``sanshe demo``: routed items, the departments' officers, and requests half answered, finished and
        overdue at a department; 民政办's officer finds its open steps in the queue. Seeding stays fast."""

        from plugins.one_window.tests.support import resident

        sanshe_factory.user("worker", role="community_worker")
        for room, (name, phone) in enumerate(
            [("孙秀英", "13600574321"), ("王建国", "13705741234"), ("刘洋", "13858012345"), ("周敏", "13957423456")]
        ):
            resident(sanshe_factory, name, phone, room=f"60{room}")
        from plugins.one_window.seed import seed_one_window

        async def seed(session):
            district = await _district(session)
            from core.plugin_api import for_district

            for_district(session, district.id)
            with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
                await seed_one_window(session, district)
            return cpu.seconds

        took = sanshe_factory.run(seed)
        assert took < 10, took  # about 1 s of CPU; the bound only catches a pathological seed

        async def states(session):
            query = select(Intake.submission_key, Intake.status, Intake.result, Step.status, Step.due_on).join(
                Step, Step.intake_id == Intake.id
            )
            rows: dict[str, list] = {}
            for key, status, result, step, due in (await session.execute(query)).tuples():
                rows.setdefault(key, [status, result, []])[2].append((step, due))
            return rows

        rows = sanshe_factory.run(states)
        assert sorted(s for s, _d in rows["demo-intake-6"][2]) == ["done", "open", "waiting"]
        assert rows["demo-intake-7"][:2] == ["done", "agreed"]
        assert {s for s, _d in rows["demo-intake-7"][2]} == {"done"}
        assert any(s == "open" and d < svc.today_local() for s, d in rows["demo-intake-8"][2])
        token = api_token(sanshe_factory, "minzheng")
        mine = {s["reference"] for s in _steps(sanshe_client, token)}
        assert len(mine) >= 2
        sanshe_factory.seed_demo("one_window")  # again: nothing added
        assert sanshe_factory.run(states) == rows


class TestResult:
    def test_the_resident_is_told_and_the_service_is_recorded_for_rating(
        self, sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client
    ):
        """When the last department answers, the resident (a person of the register with a login) gets the result
        notice, and with the district's service organization set the service is recorded as delivered to them,
        verified — what a rating module invites the resident to rate (the core's service_delivered hook)."""
        from core.models.deliveries import ServiceDelivery
        from core.models.organizations import Organization, OrgKind
        from core.models.residents import Person
        from plugins.one_window.tests.support import resident

        item = _setup(sanshe_factory, "鼓楼街道民政办，5")
        person = resident(sanshe_factory, "周敏", "13957423456")
        login = sanshe_factory.user("zhoumin", role="resident")

        async def link(session):
            district = await _district(session)
            (await session.execute(select(Person).where(Person.id == person))).scalar_one().user_id = login
            session.add(Organization(district_id=district.id, name="海曙区阳光社工服务中心", kind=OrgKind.FILED))

        sanshe_factory.run(link)
        sanshe_factory.enable("one_window", settings={"service_organization": "海曙区阳光社工服务中心"})
        window = sanshe_client_for("community_worker")
        headers = {"x-csrftoken": csrf_of(window, f"{D}/")}
        body = {"item_id": item, "person_id": person, "phone": "", "received": [0, 1, 2, 3, 4]}
        made = window.post(f"{API}/intakes", json=body, headers=headers).json()
        token = api_token(sanshe_factory, "mz-officer")
        assert _answer(sanshe_client, token, _steps(sanshe_client, token)[0]["id"], opinion="同意").status_code == 200

        async def outcome(session):
            notices = select(Notification.user_id).where(Notification.kind == "one_window.result")
            delivery = select(ServiceDelivery).where(ServiceDelivery.reference == f"one_window:{made['reference']}")
            found = (await session.execute(delivery)).scalar_one()
            return list((await session.execute(notices)).scalars()), found.person_id, found.is_rateable

        assert sanshe_factory.run(outcome) == ([login], person, True)
