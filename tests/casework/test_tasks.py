"""Linked tasks of a case (core.tasks), on casework: referrals as tasks with their partner, follower, due date,
status and outcome; who may see and change them; 我的任务; the reminders; every change on the case's timeline."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.models import District, User
from core.models.notifications import Notification
from core.models.tasks import CaseTask
from core.tasks.due import send_task_reminders
from core.tasks.service import local_today
from core.workdays import calendar_for
from tests.casework.conftest import API, PAGES, new_casework, reads_of

REHAB = {"kind": "referral", "title": "骨折术后康复训练", "partner": "宁波市第一医院康复科", "partner_kind": "medical"}


def _add(client, reference, **body):
    return client.post(f"{API}/cases/{reference}/tasks", json={**REHAB, "status": "sent", **body})


def _status(client, reference, task, status, outcome=""):
    return client.post(
        f"{API}/cases/{reference}/tasks/{task['id']}/status",
        json={"status": status, "version": task["version"], "outcome": outcome},
    )


def _user_id(seed, username):
    async def run(session):
        return (await session.execute(select(User.id).where(User.username == username))).scalar_one()

    return seed(run)


def _working_days_ahead(seed, n):
    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        return (await calendar_for(session, district)).add_working_days(local_today(), n)

    return seed(run)


def test_a_referral_is_a_task_with_partner_follower_due_date_and_history(world, api, seed):
    """Added over the API: its partner, the case's author as follower by default, a due date three working days
    ahead on the district's calendar, status sent; accepted, then completed with its outcome — each change on the
    case's timeline (who, from, to, outcome) and on the page."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    added = _add(social, reference, due_in_days=3, partner_contact="0574-87085588")
    assert added.status_code == 201, added.text
    task = added.json()
    assert (task["status"], task["status_label"], task["kind_label"]) == ("sent", "已送出", "转介")
    assert task["follower"]["username"] == "social" and task["partner_contact"] == "0574-87085588"
    assert task["due_on"] == _working_days_ahead(seed, 3).isoformat()
    accepted = _status(social, reference, task, "accepted")
    assert accepted.status_code == 200 and accepted.json()["version"] == 2
    done = _status(social, reference, accepted.json(), "completed", "完成 12 次康复训练")
    assert done.status_code == 200 and done.json()["closed_at"] is not None
    listed = social.get(f"{API}/cases/{reference}/tasks").json()
    assert [(t["title"], t["status"], t["outcome"]) for t in listed] == [
        ("骨折术后康复训练", "completed", "完成 12 次康复训练")
    ]
    events = [e for e in social.get(f"{API}/cases/{reference}/timeline").json() if e["kind"] == "task"]
    assert [(e["payload"]["action"], e["payload"].get("to"), e["actor"]["username"]) for e in events] == [
        ("created", None, "social"),
        ("status", "accepted", "social"),
        ("status", "completed", "social"),
    ]
    assert events[-1]["payload"]["outcome"] == "完成 12 次康复训练"
    page = social.get(f"{PAGES}/cases/{reference}").text
    assert "转介与任务" in page and "宁波市第一医院康复科" in page
    assert "任务 骨折术后康复训练：对方已接收 → 已完成" in page and "完成 12 次康复训练" in page


def test_bad_tasks_are_refused_field_by_field_and_nothing_is_kept(world, api, seed):
    """No title, a referral without its partner, an unknown kind, a due date in the past, both kinds of due date,
    a follower who may not read the case (another community's social worker): 400 in Chinese, no task, no event."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    past = (local_today() - timedelta(days=1)).isoformat()
    follower = _user_id(seed, "social3")
    cases = [
        ({"title": " "}, "title", "请说明要做什么。"),
        ({"partner": ""}, "partner", "转介需要填写接收的机构或个人。"),
        ({"kind": "Not A Kind"}, "kind", "请选择任务类别。"),
        ({"due_on": past}, "due_on", "到期日不能早于今天。"),
        (
            {"due_on": local_today().isoformat(), "due_in_days": 2},
            "due_in_days",
            "请填写到期日或工作日数，不要同时填写。",
        ),
        ({"status": "completed"}, "status", "新任务只能是待办或已送出。"),
        ({"follower_id": follower}, "follower_id", "请选择可以查看此个案的同事。"),
    ]
    for body, field, message in cases:
        refused = _add(social, reference, **body)
        assert refused.status_code == 400, (body, refused.text)
        assert refused.json()["errors"][field] == message, refused.json()
    assert social.get(f"{API}/cases/{reference}/tasks").json() == []
    assert not [e for e in social.get(f"{API}/cases/{reference}/timeline").json() if e["kind"] == "task"]


def test_only_the_defined_status_changes_are_taken_and_an_outcome_closes_one(world, api):
    """sent → completed is refused (accept it first); declined without an outcome is refused; a completed task
    takes no further change; each refusal leaves the task as it was (status and version)."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    task = _add(social, reference).json()
    skipped = _status(social, reference, task, "completed", "直接完成")
    assert skipped.status_code == 400 and skipped.json()["errors"]["status"] == "“已送出”的任务不能改为“已完成”。"
    mute = _status(social, reference, task, "declined")
    assert mute.status_code == 400 and mute.json()["errors"]["outcome"] == "请填写结果。"
    declined = _status(social, reference, task, "declined", "床位已满，改转其他医院")
    assert declined.status_code == 200
    again = _status(social, reference, declined.json(), "accepted")
    assert again.status_code == 400
    (stored,) = social.get(f"{API}/cases/{reference}/tasks").json()
    assert (stored["status"], stored["version"], stored["outcome"]) == ("declined", 2, "床位已满，改转其他医院")


def test_a_stale_version_gets_409_in_chinese_and_changes_nothing(world, api):
    """Two tabs loaded version 1: the first change wins, the second gets 409 "已被他人修改，请刷新" (API and page)."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    task = _add(social, reference).json()
    assert _status(social, reference, task, "accepted").status_code == 200
    stale = _status(social, reference, task, "cancelled")
    assert stale.status_code == 409 and stale.json()["detail"] == "已被他人修改，请刷新。"
    assert stale.json()["version"] == 2
    page = social.post(
        f"{PAGES}/cases/{reference}/tasks/{task['id']}/status",
        data={"status": "cancelled", "version": "1", "outcome": ""},
    )
    assert page.status_code == 409 and "已被他人修改，请刷新。" in page.text
    (stored,) = social.get(f"{API}/cases/{reference}/tasks").json()
    assert (stored["status"], stored["version"]) == ("accepted", 2)


def test_tasks_are_read_as_the_case_is_and_changed_as_it_is_edited(world, api, seed):
    """Another community's social worker gets 404 on the list, the add, the change and the page; the supervisor
    reads the tasks (each read logged, via api) but may not add or change one (403, the case's edit permission);
    a closed case takes no new task."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    task = _add(social, reference).json()
    outsider = api("social3")
    assert outsider.get(f"{API}/cases/{reference}/tasks").status_code == 404
    assert _add(outsider, reference).status_code == 404
    assert _status(outsider, reference, task, "accepted").status_code == 404
    assert outsider.get(f"{PAGES}/cases/{reference}").status_code == 404
    assert outsider.post(f"{PAGES}/cases/{reference}/tasks", data={"title": "x"}).status_code == 404
    assert [t["title"] for t in outsider.get(f"{API}/my-tasks").json()] == []
    supervisor = api("supervisor")
    assert [t["title"] for t in supervisor.get(f"{API}/cases/{reference}/tasks").json()] == ["骨折术后康复训练"]
    assert _add(supervisor, reference).status_code == 403
    assert _status(supervisor, reference, task, "accepted").status_code == 403
    page = supervisor.get(f"{PAGES}/cases/{reference}").text
    assert "骨折术后康复训练" in page and "添加转介或任务" not in page and "更改状态" not in page
    assert ("supervisor", "api") in reads_of(seed, reference)


def test_my_tasks_lists_what_i_follow_overdue_first(world, api, seed):
    """Three tasks I follow on two cases, one overdue, one due in five working days, one without a date; a task
    followed by the supervisor and a completed one are not listed. API and page (linked from the navigation)."""
    social = api("social")
    first = new_casework(social, world["pingqiao"])
    second = new_casework(social, world["pingqiao"], client_name="王秀珍")
    late = _add(social, first, title="法律援助：赔偿纠纷", partner="海曙区法律援助中心").json()
    _add(social, second, title="心理咨询", partner="阳光心理咨询工作室", due_in_days=5)
    _add(social, first, kind="follow_up", title="电话回访", partner="", status="open")
    done = _add(social, second, title="临时救助", partner="鼓楼街道民政办").json()
    done = _status(social, second, done, "accepted").json()
    _status(social, second, done, "completed", "获临时救助 3000 元")

    async def overdue(session):
        await session.execute(
            update(CaseTask).where(CaseTask.id == late["id"]).values(due_on=local_today() - timedelta(days=2))
        )

    seed(overdue)
    colleague = _user_id(seed, "supervisor")
    assert _add(social, first, title="督导跟进", follower_id=colleague).status_code == 201
    mine = social.get(f"{API}/my-tasks").json()
    assert [t["title"] for t in mine] == ["法律援助：赔偿纠纷", "心理咨询", "电话回访"]
    assert [t["title"] for t in api("supervisor").get(f"{API}/my-tasks").json()] == ["督导跟进"]
    page = social.get(f"{PAGES}/my-tasks").text
    assert "我的任务" in page and page.index("法律援助：赔偿纠纷") < page.index("心理咨询") < page.index("电话回访")
    assert "（已逾期）" in page and "临时救助" not in page
    assert f'href="{PAGES}/my-tasks"' in social.get(f"{PAGES}/").text


def test_reminders_tell_the_follower_once_when_due_tomorrow_and_when_overdue(world, api, seed):
    """A task due tomorrow and one overdue: the job tells the follower once each (zh title); a second run (another
    server) tells nobody again; a completed task and one due in a week are not reminded of."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    ids = [_add(social, reference, title=title).json()["id"] for title in ("明天到期", "已逾期", "下周到期", "已完成")]
    done = social.get(f"{API}/cases/{reference}/tasks").json()
    finished = next(t for t in done if t["id"] == ids[3])
    finished = _status(social, reference, finished, "accepted").json()
    _status(social, reference, finished, "completed", "已办结")
    today = local_today()

    async def dates(session):
        for task_id, due in zip(ids, (1, -3, 7, -3), strict=True):
            await session.execute(
                update(CaseTask).where(CaseTask.id == task_id).values(due_on=today + timedelta(days=due))
            )

    seed(dates)

    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        return await send_task_reminders(session, district)

    first, second = seed(run), seed(run)
    assert (first.due_soon, first.overdue, first.already_told) == (1, 1, 0)
    assert (second.due_soon, second.overdue, second.already_told) == (0, 0, 2)

    async def notices(session):
        rows = await session.execute(
            select(Notification.kind, Notification.params)
            .join(User, User.id == Notification.user_id)
            .where(User.username == "social", Notification.kind.like("core.task_%"))
        )
        return sorted((kind, params["title"]) for kind, params in rows.tuples())

    assert seed(notices) == [("core.task_due_soon", "明天到期"), ("core.task_overdue", "已逾期")]
    inbox = social.get(f"{PAGES}/notifications").text
    assert "任务“明天到期”" in inbox and "已逾期，应于" in inbox


def test_the_panel_adds_and_changes_tasks_with_htmx(world, api):
    """The case page's panel: add a referral (the panel comes back with it, the timeline out of band); a bad
    change shows its message in the panel with the outcome typed kept; a good one moves the chip."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    hx = {"HX-Request": "true", "HX-Target": "case-tasks"}
    form = {
        "kind": "referral",
        "title": "心理咨询",
        "partner": "阳光心理咨询工作室",
        "status": "sent",
        "due_in_days": "5",
    }
    added = social.post(f"{PAGES}/cases/{reference}/tasks", data=form, headers=hx)
    assert added.status_code == 200 and 'id="case-tasks"' in added.text and "阳光心理咨询工作室" in added.text
    assert 'hx-swap-oob="true"' in added.text and "添加任务 心理咨询" in added.text
    (task,) = social.get(f"{API}/cases/{reference}/tasks").json()
    url = f"{PAGES}/cases/{reference}/tasks/{task['id']}/status"
    bad = social.post(url, data={"status": "declined", "version": "1", "outcome": "  "}, headers=hx)
    assert bad.status_code == 200 and "请填写结果。" in bad.text
    refused = social.post(url, data={"status": "completed", "version": "1", "outcome": "八次咨询"}, headers=hx)
    assert "“已送出”的任务不能改为“已完成”。" in refused.text and "八次咨询" in refused.text
    moved = social.post(url, data={"status": "accepted", "version": "1", "outcome": ""}, headers=hx)
    assert moved.status_code == 200 and "status-accepted" in moved.text
    empty = social.post(f"{PAGES}/cases/{reference}/tasks", data={**form, "title": "", "partner": ""}, headers=hx)
    assert "请说明要做什么。" in empty.text and len(social.get(f"{API}/cases/{reference}/tasks").json()) == 1
