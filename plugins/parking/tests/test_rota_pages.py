"""The rota's pages as people see them: the chair plans (errors per field, in Chinese; a recurring plan), puts a
patroller on and takes one off; the patroller volunteers and gives up on 我的排班; others are kept out."""

from __future__ import annotations

import re
from datetime import timedelta

from core.plugin_api import TIMEZONE, utcnow
from core.testing import csrf_of, login
from plugins.parking.models_rota import PatrolShift, ShiftAssignment
from plugins.parking.tests.rota_support import add_patrollers, count, put_shift

BASE = "/d/haishu/parking"


def test_the_chair_plans_a_recurring_rota_on_the_page_and_fixes_a_refused_one(app, world, seed):
    """A plan with no days and an end of 25:00 comes back with each field's message, what was typed kept, nothing
    written; the fixed plan creates 12 shifts and shows the week with its patrollers and open places; the chair takes
    the patroller off a shift and puts them back."""
    from litestar.testing import TestClient

    add_patrollers(seed, world, ["patroller-2"])
    first = (utcnow().astimezone(TIMEZONE) + timedelta(days=1)).date()
    plan_url = f"{BASE}/estates/{world.estate}/rota/plan"
    with TestClient(app=app) as chair:
        login(chair, "parking-chair")
        form = chair.get(plan_url)
        assert form.status_code == 200 and "按周重复排班" in form.text and "吴巡查" in form.text
        token = csrf_of(chair, plan_url)
        body = {
            "_csrf_token": token,
            "kind": "recurring",
            "from_date": first.isoformat(),
            "weeks": "4",
            "start": "19:00",
            "end": "25:00",
            "area": "1–6 幢及消防通道",
            "needed": "2",
            "patrollers": [str(world.users["patroller"])],
        }
        refused = chair.post(plan_url, data=body)
        assert refused.status_code == 400
        assert "请选择星期几。" in refused.text and "请填写结束时间" in refused.text
        assert 'value="1–6 幢及消防通道"' in refused.text
        assert count(seed, PatrolShift) == 0
        done = chair.post(plan_url, data={**body, "end": "21:00", "days": ["1", "3", "5"]}, follow_redirects=True)
        assert done.status_code == 200 and "已排 12 个班次" in done.text
        assert "巡查排班" in done.text and "吴巡查" in done.text and "缺 1 人" in done.text
        shift_id = re.search(r'id="shift-(\d+)"', done.text).group(1)
        week = str(done.url)
        token = csrf_of(chair, week)
        off = chair.post(
            f"{BASE}/shifts/{shift_id}/unassign",
            data={"_csrf_token": token, "patroller_id": str(world.users["patroller"])},
            follow_redirects=True,
        )
        assert "已撤下，空出一个名额。" in off.text and "缺 2 人" in off.text
        on = chair.post(
            f"{BASE}/shifts/{shift_id}/assign",
            data={"_csrf_token": token, "patroller_id": str(world.users["patroller-2"])},
            follow_redirects=True,
        )
        assert "已安排巡查员。" in on.text
        again = chair.post(plan_url, data={**body, "end": "21:00", "days": ["1", "3", "5"]}, follow_redirects=True)
        assert "已排 0 个班次；12 个已在排班表上" in again.text
    assert count(seed, PatrolShift) == 12


def test_a_patroller_volunteers_and_gives_up_on_my_shifts_and_others_are_kept_out(app, world, seed):
    """我的排班 lists the open place; taking it moves it to my next shifts; giving it up opens it again and the
    committee's rota names who gave it up. A resident gets 403 on the rota and on 我的排班; a patroller cannot plan."""
    from litestar.testing import TestClient

    add_patrollers(seed, world, ["patroller-2"])
    put_shift(seed, world, utcnow() + timedelta(days=2), 2, on=("patroller-2",), needed=2)
    mine_url = f"{BASE}/estates/{world.estate}/my-shifts"
    with TestClient(app=app) as patroller:
        login(patroller, "patroller")
        page = patroller.get(mine_url)
        assert page.status_code == 200 and "空缺名额" in page.text and "您接下来没有班次。" in page.text
        shift_id = re.search(r'id="open-shift-(\d+)"', page.text).group(1)
        token = csrf_of(patroller, mine_url)
        took = patroller.post(f"{BASE}/shifts/{shift_id}/volunteer", data={"_csrf_token": token}, follow_redirects=True)
        assert "报名成功" in took.text and f'id="my-shift-{shift_id}"' in took.text and "patroller-2" in took.text
        gave = patroller.post(f"{BASE}/shifts/{shift_id}/give-up", data={"_csrf_token": token}, follow_redirects=True)
        assert "已退出班次，名额已空出。" in gave.text and f'id="open-shift-{shift_id}"' in gave.text
        assert patroller.get(f"{BASE}/estates/{world.estate}/rota/plan").status_code == 403
        rota = patroller.get(
            f"{BASE}/estates/{world.estate}/rota?week={(utcnow() + timedelta(days=2)).astimezone(TIMEZONE).date()}"
        )
        assert rota.status_code == 200 and "吴巡查 于" in rota.text and "退出" in rota.text
    assert count(seed, ShiftAssignment, ShiftAssignment.seat.is_not(None)) == 1
    with TestClient(app=app) as resident:
        login(resident, "resident")
        assert resident.get(f"{BASE}/estates/{world.estate}/rota").status_code == 403
        assert resident.get(mine_url).status_code == 403
