"""The working-day calendar and scheduled jobs through the pages, the JSON API and the command line."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.db import create_engine, session_factory
from core.models import District, ScheduledJobRun, WorkdayOverride
from core.workdays import set_override
from tests.conftest import csrf_of, login
from tests.factories import make_district, make_user

PAGE = "/d/haishu/admin/calendar"
API = "/api/v1/districts/haishu"


@pytest.fixture
def world(seed):
    async def data(session):
        district = await make_district(session)
        await make_user(session, "admin", platform_admin=True)
        await make_user(session, "district-admin", district=district, roles=("district_admin",))
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)


def _overrides(seed):
    async def read(session):
        return [
            (o.day.isoformat(), o.working, o.note) for o in (await session.execute(select(WorkdayOverride))).scalars()
        ]

    return seed(read)


def _post(client, path, data, page=PAGE, **headers):
    token = csrf_of(client, page)
    return client.post(path, data={**data, "_csrf_token": token}, headers=headers, follow_redirects=False)


class TestCalendarPage:
    def test_year_view_lists_holidays_and_adjusted_days(self, client, world):
        """The page is HTML and lists 国庆节 as a public holiday and the 调休 Saturday as a working day."""
        login(client, "district-admin")
        page = client.get(f"{PAGE}?year=2026")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "工作日日历 2026" in page.text
        assert "法定节假日 · 国庆节" in page.text
        assert "2026-02-14" in page.text and "调休上班 · 春节" in page.text
        assert "national_kind" not in page.text and "adjusted_workday" not in page.text

    def test_unknown_year_shows_a_warning(self, client, world):
        """A year the holiday data does not know says so on the page."""
        login(client, "district-admin")
        page = client.get(f"{PAGE}?year=2030")
        assert "2030 年的法定节假日尚未收录" in page.text

    def test_add_and_remove_a_day_with_htmx(self, client, world, seed):
        """The district admin declares a day off with htmx, sees it listed with its note, then removes it."""
        login(client, "district-admin")
        added = _post(client, PAGE, {"date": "2026-11-20", "working": "0", "note": "区运动会", "year": "2026"})
        assert added.status_code == 303
        listed = client.get(f"{PAGE}?year=2026", headers={"HX-Request": "true"})
        assert "<html" not in listed.text  # a fragment for htmx
        assert "本区调整" in listed.text and "区运动会" in listed.text
        assert _overrides(seed) == [("2026-11-20", False, "区运动会")]
        removed = _post(client, f"{PAGE}/2026-11-20/delete", {})
        assert removed.status_code == 303
        assert "已恢复按全国安排" in client.get(removed.headers["location"]).text
        assert _overrides(seed) == []

    def test_bad_date_is_refused_and_nothing_saved(self, client, world, seed):
        """A date that is not YYYY-MM-DD comes back 400 with the message next to the field, the input kept."""
        login(client, "district-admin")
        bad = _post(client, PAGE, {"date": "2026-13-01", "working": "0", "note": "错日子"})
        assert bad.status_code == 400
        assert "请按“年-月-日”填写日期" in bad.text
        assert 'value="错日子"' in bad.text
        assert _overrides(seed) == []

    def test_worker_may_not_edit(self, client, world, seed):
        """A community worker gets 403 on the page and on an edit."""
        login(client, "worker")
        assert client.get(PAGE).status_code == 403
        token = csrf_of(client, "/d/haishu/")
        refused = client.post(PAGE, data={"date": "2026-11-20", "working": "0", "_csrf_token": token})
        assert refused.status_code == 403
        assert _overrides(seed) == []


class TestCalendarApi:
    @pytest.fixture
    def api(self, client, world):
        login(client, "district-admin")
        client.headers.update({"x-csrftoken": csrf_of(client, "/me")})
        return client

    def test_year_day_and_arithmetic(self, api):
        """The API lists the year, says whether a day works and adds working days over the National Day week."""
        year = api.get(f"{API}/calendar", params={"year": 2026}).json()
        assert year["known"] is True
        assert {"date": "2026-10-01", "national_kind": "holiday", "holiday_zh": "国庆节"}.items() <= next(
            d for d in year["days"] if d["date"] == "2026-10-01"
        ).items()
        assert api.get(f"{API}/calendar/days/2026-02-14").json()["working"] is True
        added = api.get(f"{API}/calendar/add-working-days", params={"start": "2026-09-29", "n": 3}).json()
        assert added["date"] == "2026-10-09"

    def test_put_and_delete_override(self, api, seed):
        """PUT declares a day off (it then counts as one); DELETE gives the day back to the national calendar."""
        put = api.put(f"{API}/calendar/overrides/2026-11-20", json={"working": False, "note": "区运动会"})
        assert put.status_code == 200
        assert put.json()["working"] is False and put.json()["overridden"] is True
        added = api.get(f"{API}/calendar/add-working-days", params={"start": "2026-11-19", "n": 1}).json()
        assert added["date"] == "2026-11-23"
        assert api.delete(f"{API}/calendar/overrides/2026-11-20").status_code == 204
        assert api.delete(f"{API}/calendar/overrides/2026-11-20").status_code == 404
        assert _overrides(seed) == []

    def test_bad_input_is_a_clear_400(self, api, seed):
        """A bad date, a too-long note or a missing field are refused with a message; nothing is saved."""
        bad_date = api.put(f"{API}/calendar/overrides/2026-02-30", json={"working": False})
        assert bad_date.status_code == 400
        assert "YYYY-MM-DD" in bad_date.text or "日期" in bad_date.text
        assert (
            api.put(f"{API}/calendar/overrides/2026-11-20", json={"working": False, "note": "长" * 201}).status_code
            == 400
        )
        assert api.put(f"{API}/calendar/overrides/2026-11-20", json={"note": "x"}).status_code == 400
        assert api.get(f"{API}/calendar", params={"year": 1900}).status_code == 400
        assert _overrides(seed) == []

    def test_parallel_edits_of_one_day_keep_one_row_and_every_version_bump(self, world, database_url, seed):
        """Six admins setting one day at once all succeed, leave one override row and bump the version six times."""

        async def race():
            engine = create_engine(database_url)
            factory = session_factory(engine)

            async def edit(i):
                async with factory() as session:
                    district = (await session.execute(select(District))).scalar_one()
                    await set_override(session, district, date(2026, 11, 20), working=i % 2 == 0, note=f"第{i}次")
                    await session.commit()

            try:
                return await asyncio.gather(*(edit(i) for i in range(6)), return_exceptions=True)
            finally:
                await engine.dispose()

        results = asyncio.run(race())
        assert [r for r in results if r is not None] == []
        assert len(_overrides(seed)) == 1

        async def version(session):
            return (await session.execute(select(District.calendar_version))).scalar_one()

        assert seed(version) == 1 + 6


class TestJobs:
    def test_jobs_page_run_now_and_history(self, client, world, seed):
        """The platform admin sees the holiday check, runs it now and finds the run in its history."""
        login(client, "admin")
        page = client.get("/d/haishu/admin/jobs")
        assert page.status_code == 200 and "检查下一年度节假日安排" in page.text and "尚未运行" in page.text
        detail = "/d/haishu/admin/jobs/workdays.next_year_check"
        ran = _post(client, f"{detail}/run", {}, page=detail)
        assert ran.status_code == 303
        history = client.get(detail).text
        assert "成功" in history and "手动" in history

        async def runs(session):
            return [
                (r.job_key, r.status, r.trigger) for r in (await session.execute(select(ScheduledJobRun))).scalars()
            ]

        assert seed(runs) == [("workdays.next_year_check", "ok", "manual")]

    def test_district_admin_may_not_run_a_platform_job(self, client, world):
        """A district admin sees the platform job but gets no button and a 403 when posting."""
        login(client, "district-admin")
        detail = "/d/haishu/admin/jobs/workdays.next_year_check"
        assert "立即运行" not in client.get(detail).text
        assert _post(client, f"{detail}/run", {}, page=detail).status_code == 403
        assert client.get("/d/haishu/admin/jobs/no.such_job").status_code == 404

    def test_jobs_api(self, client, world):
        """The API lists the jobs with their next run and runs one for the platform admin."""
        login(client, "admin")
        client.headers.update({"x-csrftoken": csrf_of(client, "/me")})
        jobs = client.get(f"{API}/jobs").json()
        keys = ["idempotency.purge", "notifications.due_soon", "tasks.due", "workdays.next_year_check"]
        assert [j["key"] for j in jobs] == keys
        assert jobs[0]["last_run"] is None and jobs[0]["next_run"]
        runs = client.post(f"{API}/jobs/workdays.next_year_check/run").json()
        assert [r["status"] for r in runs] == ["ok"]
        assert client.get(f"{API}/jobs/workdays.next_year_check/runs").json()[0]["trigger"] == "manual"


def test_cli_calendar_and_jobs(world, database_url, monkeypatch):
    """`sanshe calendar set/check` and `sanshe jobs list/run` work on the configured database."""
    from core.cli import _register, cli

    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    _register()
    runner = CliRunner()
    done = runner.invoke(cli, ["calendar", "set", "haishu", "2026-11-20", "--off", "--note", "区运动会"])
    assert done.exit_code == 0, done.output
    check = runner.invoke(cli, ["calendar", "check", "haishu", "2026-11-19", "--add", "1"])
    assert "2026-11-23" in check.output
    bad = runner.invoke(cli, ["calendar", "set", "haishu", "2026-13-01", "--off"])
    assert bad.exit_code == 2
    listed = runner.invoke(cli, ["jobs", "list"])
    assert "workdays.next_year_check" in listed.output
    ran = runner.invoke(cli, ["jobs", "run", "workdays.next_year_check"])
    assert ran.exit_code == 0 and "ok" in ran.output
    assert runner.invoke(cli, ["jobs", "run", "no.such"]).exit_code == 2
