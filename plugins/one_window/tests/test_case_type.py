"""The 一窗受理事项 case type: who may take which step, and what is refused."""

from __future__ import annotations

import pytest

REQUEST = {"applicant": "张阿姨", "phone": "13800138000", "item_code": "330203-MZ-004", "item_title": "高龄津贴申领"}


@pytest.fixture
def reference(sanshe_factory, sanshe_district):
    """A request a community worker has just received at the window."""
    return sanshe_factory.case(
        "one_window_request", as_user="community_worker", title="张阿姨的申请", data=REQUEST, channel="walk_in"
    )


def test_new_request_is_in_progress(sanshe_factory, reference):
    """A received request starts in 办理中 (accepted)."""
    assert sanshe_factory.case_state(reference) == "accepted"


def test_waiting_for_documents_and_back(sanshe_factory, sanshe_transition, reference):
    """The window asks for documents (the case waits) and records them complete (back in progress)."""
    assert sanshe_transition(reference, "request_documents", as_user="community_worker") is None
    assert sanshe_factory.case_state(reference) == "awaiting_documents"
    assert sanshe_transition(reference, "documents_complete", as_user="community_worker") is None
    assert sanshe_factory.case_state(reference) == "accepted"


def test_the_window_cannot_complete_behind_the_departments(sanshe_factory, sanshe_transition, reference):
    """Only the departments' officers complete a request (the back office does it at the last join, see
    test_backoffice.py): the window's complete is refused, even with an outcome, and the state stays."""
    assert sanshe_transition(reference, "complete", as_user="community_worker", data={"outcome": "已发放"})
    assert sanshe_factory.case_state(reference) == "accepted"


def test_not_accepting_needs_a_reason(sanshe_transition, reference):
    """不予受理 is refused until a reason is given."""
    assert "理由" in sanshe_transition(reference, "refuse", as_user="community_worker")
    assert sanshe_transition(reference, "refuse", as_user="community_worker", reason="不符合条件") is None


def test_a_resident_may_not_open_or_decide(sanshe_factory, sanshe_transition, reference):
    """Only the window opens these cases; a resident cannot take a step on them."""
    reason = sanshe_transition(reference, "refuse", as_user="resident", reason="自己撤回")
    assert reason is not None
    assert sanshe_factory.case_state(reference) == "accepted"
