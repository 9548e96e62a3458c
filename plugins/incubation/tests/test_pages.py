"""The pages as people use them: every page renders (whole and as an htmx fragment), forms keep what was typed
and say what is wrong, and who may do what."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from core.organizations import OrgKind
from core.testing import csrf_of, login
from plugins.incubation.models import Incubation
from plugins.incubation.tests.support import apply_as, to_resident, today

D = "/d/haishu/incubation"
HTMX = {"HX-Request": "true", "HX-Target": "main"}


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_of(client, D)}, follow_redirects=False)


def test_every_page_renders_for_centre_staff(client, as_user, world):
    """Home, incubator, queues, mentors, hubs, reports, showcase, apply, an incubation: 200, whole and fragment."""
    inc = apply_as(as_user, world)
    login(client, "incubator")
    pages = [
        "",
        f"/incubators/{world.incubator}",
        "/queues",
        "/mentors",
        "/hubs",
        "/reports",
        "/organizations",
        "/apply",
        f"/cases/{inc}",
        "/instrument",
    ]
    for path in pages:
        whole = client.get(D + path)
        assert whole.status_code == 200, (path, whole.text[:300])
        assert whole.headers["content-type"].startswith("text/html")
        assert "<html" in whole.text
        assert ' style="' not in whole.text, path  # the CSP forbids inline styles (bars and charts are SVG)
        part = client.get(D + path, headers=HTMX)
        assert part.status_code == 200 and "<html" not in part.text, path


def test_a_new_group_applies_and_joins_the_registry_as_informal(client, world, seed):
    """A leader applies for a new chat group: it becomes an informal organization with them as its leader."""
    login(client, "other")
    response = _post(
        client,
        f"{D}/apply",
        {"incubator_id": world.incubator, "group_name": "自闭症儿童家长群", "contact_phone": "13800138000"},
    )
    assert response.status_code == 303, response.text[:500]
    page = client.get(response.headers["location"]).text
    assert "自闭症儿童家长群" in page and "已申请" in page

    async def org(session: Any) -> Any:
        from core.models.organizations import Organization

        row = (await session.execute(select(Organization).where(Organization.name == "自闭症儿童家长群"))).scalar_one()
        return row.kind

    assert seed(org) == OrgKind.INFORMAL


def test_application_errors_are_shown_next_to_the_fields(client, world):
    """Without a group or an incubator the form comes back 400 with the messages and what was typed."""
    login(client, "other")
    response = _post(client, f"{D}/apply", {"incubator_id": "", "summary": "保留我的说明"})
    assert response.status_code == 400
    assert "保留我的说明" in response.text and "field-error" in response.text


def test_staff_take_a_step_and_give_a_desk_from_the_incubation_page(client, as_user, world, seed):
    """Staff file the group with its number, then (resident) give it D-2; the page shows both."""
    inc = apply_as(as_user, world)
    login(client, "incubator")
    assert _post(client, f"{D}/cases/{inc}/step", {"step": "screen", "screening_notes": "同意入驻"}).status_code == 303
    assert (
        _post(client, f"{D}/cases/{inc}/step", {"step": "file", "filing_number": "海曙备字 2026-077"}).status_code
        == 303
    )
    assert "已备案" in client.get(f"{D}/cases/{inc}").text
    to_resident_rest = _post(
        client, f"{D}/cases/{inc}/agreement", {"start_on": today().isoformat(), "custom_criteria": "会员 30 人"}
    )
    assert to_resident_rest.status_code == 303
    _post(client, f"{D}/cases/{inc}/step", {"step": "admit"})
    _post(client, f"{D}/cases/{inc}/desks", {"space_id": world.desks[1], "starts_on": today().isoformat()})
    page = client.get(f"{D}/cases/{inc}").text
    assert "D-2" in page and "在孵（入驻）" in page and "会员 30 人" in page


def test_refused_step_says_why_and_changes_nothing(client, as_user, world, seed):
    """Filing without the number: back to the page with the reason; the stage stays 已筛选."""
    inc = apply_as(as_user, world)
    login(client, "incubator")
    _post(client, f"{D}/cases/{inc}/step", {"step": "screen", "screening_notes": "同意"})
    back = _post(client, f"{D}/cases/{inc}/step", {"step": "file"})
    assert back.status_code == 303
    assert "填写" in client.get(back.headers["location"]).text

    async def stage(session: Any) -> str:
        return (await session.execute(select(Incubation.stage).where(Incubation.id == inc))).scalar_one()

    assert seed(stage) == "screened"


def test_organization_profile_shows_the_incubation_panel(client, as_user, world):
    """The registry's profile page gets the incubation panel: stage, mentor and desk."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc, mentor_id=world.mentor)
    login(client, "incubator")
    _post(client, f"{D}/cases/{inc}/desks", {"space_id": world.desks[0], "starts_on": today().isoformat()})
    page = client.get(f"/d/haishu/organizations/{world.member}").text
    assert "孵化" in page and "在孵（入驻）" in page and "王晓红" in page and "D-1" in page


def test_only_centre_staff_change_stages_and_desks(client, as_user, world):
    """An organization's leader sees their incubation but may not take steps or give desks (403)."""
    inc = apply_as(as_user, world)
    login(client, "leader")
    assert client.get(f"{D}/cases/{inc}").status_code == 200
    assert _post(client, f"{D}/cases/{inc}/step", {"step": "screen", "screening_notes": "x"}).status_code == 403
    assert _post(client, f"{D}/cases/{inc}/desks", {"space_id": world.desks[0]}).status_code == 403
    assert client.get(f"{D}/queues").status_code == 403


def test_mentor_records_a_session_with_action_items(client, as_user, world):
    """The mentor records a 督导 with two action items due in a week; they show on the incubation page."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc, mentor_id=world.mentor)
    login(client, "mentor")
    assert "平桥老年合唱团" in client.get(f"{D}/mentors").text  # the mentor's own caseload
    data = {
        "held_on": today().isoformat(),
        "notes": "讨论章程草案",
        "items": "起草章程\n整理会员名册",
        "due_on": today().isoformat(),
    }
    assert _post(client, f"{D}/cases/{inc}/sessions", data).status_code == 303
    page = client.get(f"{D}/cases/{inc}").text
    assert "讨论章程草案" in page and "整理会员名册" in page


def test_another_district_never_sees_haishu(client, as_user, world):
    """鄞州's centre staff get 404 for 海曙's incubation through the API."""
    inc = apply_as(as_user, world)
    response = client.get(
        f"/api/v1/districts/yinzhou/incubation/cases/{inc}",
        headers={"Authorization": f"Bearer {world.tokens['yz-staff']}"},
    )
    assert response.status_code == 404


def test_two_assessments_draw_the_radar_and_the_change(client, as_user, world):
    """After an intake and a mid-way assessment the page shows the SVG radar and +1.0 for governance."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc, mentor_id=world.mentor)
    login(client, "mentor")
    base = {"assessor": "王晓红"} | {
        f"score_{d}_{i}": "4" for d in ("finance", "projects", "volunteers", "resources") for i in ("i1", "i2")
    }  # 8 of 20: 2.0 of 5
    intake = {"phase": "intake", "score_governance_i1": "3", "score_governance_i2": "3"}  # 6 of 20: 1.5
    _post(client, f"{D}/cases/{inc}/assessments", {**base, **intake})
    mid = {"phase": "mid", "score_governance_i1": "5", "score_governance_i2": "5"}  # 10 of 20: 2.5
    _post(client, f"{D}/cases/{inc}/assessments", {**base, **mid})
    page = client.get(f"{D}/cases/{inc}").text
    assert '<svg class="incubation-radar"' in page and "<script" not in page.split("incubation-radar")[1][:3000]
    assert "+1.0" in page and "中期评估" in page
    assert "只比较两版共有" not in page  # both on version 1
    final = {"phase": "final", "score_governance_i1": "11", "score_governance_i2": "5"}
    bad = _post(client, f"{D}/cases/{inc}/assessments", {**base, **final})
    assert "0 到 10" in client.get(bad.headers["location"]).text


def test_whole_path_page_gathers_the_profile_panels(client, as_user, world):
    """The ★ whole-path page shows the incubation's timeline and the modules' profile panels (here: incubation's)."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc, mentor_id=world.mentor)
    login(client, "incubator")
    page = client.get(f"{D}/path/{world.member}")
    assert page.status_code == 200
    assert "平桥老年合唱团" in page.text and "进入阶段：在孵（入驻）" in page.text and "inc-panel" in page.text
    client.cookies.clear()
    login(client, "other")
    assert client.get(f"{D}/path/{world.member}").status_code == 404


def test_training_attendance_counts_only_incubating_organizations(client, as_user, world):
    """Staff add a training and tick the incubating member: 出勤 1; an organization not incubating here is refused."""
    apply_as(as_user, world)
    login(client, "incubator")
    base = f"{D}/incubators/{world.incubator}"
    _post(client, f"{base}/trainings", {"topic": "财务规范培训", "held_on": today().isoformat()})
    page = client.get(base).text
    training_id = re.search(r"/trainings/(\d+)/attendance", page).group(1)
    _post(client, f"{base}/trainings/{training_id}/attendance", {"organization_ids": str(world.member)})
    assert "出勤 1" in client.get(base).text
    refused = _post(client, f"{base}/trainings/{training_id}/attendance", {"organization_ids": str(world.outsider)})
    assert "只能登记本基地在孵组织" in client.get(refused.headers["location"]).text


def test_plugin_roles_open_the_dashboard(client, world):
    """A user with only the centre-staff or the mentor role lands on the dashboard (not 403) and finds the link."""
    for username in ("incubator", "mentor"):
        client.cookies.clear()
        login(client, username)
        page = client.get("/d/haishu/")
        assert page.status_code == 200 and 'href="/d/haishu/incubation"' in page.text


def test_standard_criteria_read_in_the_readers_language():
    """A standard graduation criterion stored in Chinese reads in English for English readers; custom ones as is."""
    from core.plugin_api import use_locale
    from plugins.incubation.hooks import criterion

    with use_locale("en"):
        assert criterion("完成登记，取得统一社会信用代码") == "Registered, with a unified social credit code"
        assert criterion("每月开放日一次") == "每月开放日一次"
    with use_locale("zh_CN"):
        assert criterion("完成登记，取得统一社会信用代码") == "完成登记，取得统一社会信用代码"
