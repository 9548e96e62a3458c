"""The 一窗受理申请 case type: who may take which step, and what is refused."""

from __future__ import annotations

import pytest

REQUEST = {"applicant": "张阿姨", "phone": "13800138000", "details": "申请说明"}


@pytest.fixture
def reference(sanshe_factory, sanshe_district):
    """A request a resident has just submitted."""
    return sanshe_factory.case("one_window_request", as_user="resident", title="张阿姨的申请", data=REQUEST)


def test_new_request_waits_for_review(sanshe_factory, reference):
    """A submitted request starts in 待审核 (submitted)."""
    assert sanshe_factory.case_state(reference) == "submitted"


def test_worker_approves_with_an_outcome(sanshe_factory, sanshe_transition, reference):
    """A community worker approves a request, giving the outcome; it is then approved."""
    assert sanshe_transition(reference, "approve", as_user="community_worker", data={"outcome": "同意"}) is None
    assert sanshe_factory.case_state(reference) == "approved"


def test_approval_needs_an_outcome(sanshe_factory, sanshe_transition, reference):
    """Approving without the outcome is refused, naming the field, and the state stays."""
    reason = sanshe_transition(reference, "approve", as_user="community_worker")
    assert reason is not None
    assert "outcome" in reason
    assert sanshe_factory.case_state(reference) == "submitted"


def test_rejection_needs_a_reason(sanshe_transition, reference):
    """Rejecting is refused until a reason is given."""
    assert "理由" in sanshe_transition(reference, "reject", as_user="community_worker")
    assert sanshe_transition(reference, "reject", as_user="community_worker", reason="名额已满") is None


def test_resident_may_not_approve(sanshe_factory, sanshe_transition, reference):
    """A resident cannot approve their own request."""
    reason = sanshe_transition(reference, "approve", as_user="resident", data={"outcome": "自己批准"})
    assert reason == "您没有执行此操作的权限。"
    assert sanshe_factory.case_state(reference) == "submitted"


def test_a_decided_request_cannot_be_decided_again(sanshe_transition, reference):
    """After approval, rejecting is no longer possible."""
    sanshe_transition(reference, "approve", as_user="community_worker", data={"outcome": "同意"})
    assert "不能执行" in sanshe_transition(reference, "reject", as_user="community_worker", reason="改主意")
