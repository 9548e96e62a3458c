"""Screening (形式审查): checklist items must all pass; "more information" goes back with a message and a
deadline and comes back by resubmission; a dismissal's reason is what the applicant sees."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import utcnow
from core.models.notifications import Notification
from core.testing import login
from plugins.grants.tests.support import add_application

API = "/api/v1/districts/haishu/grants"


def _auth(world, user):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _screen(client, world, app_id, **body):
    return client.post(f"{API}/applications/{app_id}/screening", json=body, headers=_auth(world, "staff"))


def test_pass_needs_every_item_ticked(client, world, seed):
    """Passing with one checklist item unticked is refused and names it; with both ticked it passes."""
    app_id = seed(lambda s: add_application(s, world, status="submitted"))
    refused = _screen(client, world, app_id, decision="pass", checks={"材料齐全": True, "预算合理": False})
    assert refused.status_code == 400
    assert "预算合理" in refused.json()["errors"]["decision"]
    passed = _screen(client, world, app_id, decision="pass", checks={"材料齐全": True, "预算合理": True})
    assert passed.status_code == 200, passed.text
    assert passed.json()["status"] == "screened"


def test_more_information_then_resubmission(client, world, seed):
    """Sent back with a message and a deadline; the applicant sees both, fixes the draft and resubmits."""
    app_id = seed(lambda s: add_application(s, world, status="submitted"))
    no_deadline = _screen(client, world, app_id, decision="more_info", message="请补充预算明细")
    assert no_deadline.status_code == 400
    assert "deadline" in no_deadline.json()["errors"]
    deadline = (utcnow() + timedelta(days=3)).isoformat()
    sent = _screen(client, world, app_id, decision="more_info", message="请补充预算明细", deadline=deadline)
    assert sent.status_code == 200, sent.text
    login(client, "leader")
    page = client.get(f"/d/haishu/grants/applications/{app_id}")
    assert "请补充预算明细" in page.text
    assert "需要补充材料" in page.text
    changed = client.patch(
        f"{API}/applications/{app_id}", json={"summary": "附预算明细：场地 2000 元"}, headers=_auth(world, "leader")
    )
    assert changed.status_code == 200
    again = client.post(f"{API}/applications/{app_id}/submit", headers=_auth(world, "leader"))
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "submitted"
    assert again.json()["summary"] == "附预算明细：场地 2000 元"


def test_resubmission_after_the_deadline_is_refused(client, world, seed):
    """More information asked by a deadline already past: the resubmission is refused with the time."""
    app_id = seed(
        lambda s: add_application(
            s, world, status="more_info", info_message="补充", info_deadline=utcnow() - timedelta(hours=1)
        )
    )
    response = client.post(f"{API}/applications/{app_id}/submit", headers=_auth(world, "leader"))
    assert response.status_code == 409
    assert "补充材料已于" in response.json()["detail"]


def test_dismissal_reason_is_shown_to_the_applicant_and_notified(client, world, seed):
    """A dismissal needs a reason; the applicant sees it on the page and gets a notice."""
    app_id = seed(lambda s: add_application(s, world, status="submitted"))
    assert _screen(client, world, app_id, decision="dismiss").status_code == 400
    done = _screen(client, world, app_id, decision="dismiss", message="申报主体不在本区登记")
    assert done.status_code == 200
    assert done.json()["dismissal_reason"] == "申报主体不在本区登记"
    login(client, "leader")
    assert "申报主体不在本区登记" in client.get(f"/d/haishu/grants/applications/{app_id}").text

    async def notices(session):
        rows = await session.execute(select(Notification.kind, Notification.user_id))
        return list(rows.all())

    assert ("grants.dismissed", world.users["leader"]) in seed(notices)


def test_screening_is_for_staff_only(client, world, seed):
    """The applicant can't screen their own application (403)."""
    app_id = seed(lambda s: add_application(s, world, status="submitted"))
    response = client.post(
        f"{API}/applications/{app_id}/screening", json={"decision": "pass"}, headers=_auth(world, "leader")
    )
    assert response.status_code == 403
